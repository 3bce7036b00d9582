import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_ID, options, rowsOf, validate } from './helpers.js';

const csv = options('csv');

describe('CSV: good files', () => {
  it('reads UTF-8 with BOM and CRLF line ends; the BOM is not part of the first header name', async () => {
    const file =
      '\uFEFFprompt,duration,aspect_ratio\r\na red fox in snow,5,3:2\r\na lighthouse at dusk,10,1:1\r\n';
    expect(await rowsOf(file, csv)).toEqual([
      {
        row: 1,
        line: 2,
        input: { model: DEFAULT_MODEL_ID, prompt: 'a red fox in snow', duration: 5, aspect_ratio: '3:2' },
      },
      {
        row: 2,
        line: 3,
        input: { model: DEFAULT_MODEL_ID, prompt: 'a lighthouse at dusk', duration: 10, aspect_ratio: '1:1' },
      },
    ]);
  });

  it('detects semicolon and tab delimiters from the header', async () => {
    const semicolon = 'prompt;duration;note\nsunrise, over hills;5;a,b\n';
    expect(await rowsOf(semicolon, csv)).toEqual([
      {
        row: 1,
        line: 2,
        input: { model: DEFAULT_MODEL_ID, prompt: 'sunrise, over hills', duration: 5 },
        metadata: { note: 'a,b' },
      },
    ]);
    const tab = 'prompt\tnum_inference_steps\tcustom_id\na city; at night\t40\tcity-1\n';
    expect(await rowsOf(tab, csv)).toEqual([
      {
        row: 1,
        line: 2,
        input: { model: DEFAULT_MODEL_ID, prompt: 'a city; at night', num_inference_steps: 40 },
        customId: 'city-1',
      },
    ]);
  });

  it('keeps commas, doubled quotes and newlines inside quoted fields, and numbers lines from where rows start', async () => {
    const file = [
      'prompt,custom_id',
      '"first line',
      'second line, with a comma",a',
      '"she said ""action"", then cut",b',
      'plain,c',
    ].join('\r\n');
    const rows = await rowsOf(file, csv);
    expect(rows.map((r) => [r.row, r.line, r.input.prompt, r.customId])).toEqual([
      [1, 2, 'first line\nsecond line, with a comma', 'a'],
      [2, 4, 'she said "action", then cut', 'b'],
      [3, 5, 'plain', 'c'],
    ]);
  });

  it('keeps a quote inside an unquoted field as text (12" vinyl)', async () => {
    const rows = await rowsOf('prompt\na 12" vinyl record spinning\n', csv);
    expect(rows[0]?.input.prompt).toBe('a 12" vinyl record spinning');
  });

  it('reads Unicode prompts and counts their length in characters, not UTF-16 units', async () => {
    const file = 'prompt\n雪の中の赤い狐 🦊\nКот на луне\ncafé crème\n';
    const rows = await rowsOf(file, csv);
    expect(rows.map((r) => r.input.prompt)).toEqual(['雪の中の赤い狐 🦊', 'Кот на луне', 'café crème']);

    const limited = options('csv', { maxPromptLength: 10 });
    const emoji = '🦊'.repeat(10); // 20 UTF-16 units, 10 characters
    expect((await validate(`prompt\n${emoji}\n`, limited)).valid).toBe(1);
    const result = await validate(`prompt\n${emoji}🦊\n`, limited);
    expect(result.errors).toEqual([
      { line: 2, row: 1, column: 'prompt', message: 'prompt is 11 characters long; the limit is 10' },
    ]);
  });

  it('matches header names trimmed and case-insensitively, and keeps other columns as string metadata', async () => {
    const file = ' Prompt , MODEL ,Custom_ID, Campaign ,score\nhello,sber-ai/kandinsky5-t2v,x1, spring ,7\n';
    expect(await rowsOf(file, csv)).toEqual([
      {
        row: 1,
        line: 2,
        input: { model: 'sber-ai/kandinsky5-t2v', prompt: 'hello' },
        customId: 'x1',
        metadata: { Campaign: ' spring ', score: '7' },
      },
    ]);
  });

  it('treats empty optional cells as absent and uses the default model', async () => {
    const rows = await rowsOf(
      'prompt,model,aspect_ratio,duration,num_inference_steps,custom_id\n  a boat  ,,,,,\n',
      csv,
    );
    expect(rows).toEqual([{ row: 1, line: 2, input: { model: DEFAULT_MODEL_ID, prompt: 'a boat' } }]);
  });

  it('skips blank lines, whitespace-only lines and rows of empty cells, before and after the header', async () => {
    const file = '\n\n  \nprompt,duration\n\none,5\n   \n,\n\ntwo,10\n\n';
    const rows = await rowsOf(file, csv);
    expect(rows.map((r) => [r.row, r.line, r.input.prompt])).toEqual([
      [1, 6, 'one'],
      [2, 10, 'two'],
    ]);
  });

  it('accepts integers written as "5", " 5 " and "5.0"', async () => {
    const rows = await rowsOf('prompt,duration,num_inference_steps\na,5, 30 \nb, 10 ,25.0\n', csv);
    expect(rows.map((r) => [r.input.duration, r.input.num_inference_steps])).toEqual([
      [5, 30],
      [10, 25],
    ]);
  });

  it('accepts a header with mixed delimiters when the prompt column can still be found', async () => {
    const rows = await rowsOf('prompt;duration,extra\nhello;5,x\n', csv);
    expect(rows).toEqual([
      {
        row: 1,
        line: 2,
        input: { model: DEFAULT_MODEL_ID, prompt: 'hello' },
        metadata: { 'duration,extra': '5,x' },
      },
    ]);
  });

  it('keeps a metadata column named __proto__ like any other', async () => {
    const rows = await rowsOf('prompt,__proto__\nhello,x\n', csv);
    expect(Object.entries(rows[0]?.metadata ?? {})).toEqual([['__proto__', 'x']]);
  });
});

describe('CSV: row errors', () => {
  it('names the column of a non-integer duration or step count', async () => {
    const result = await validate('prompt,duration,num_inference_steps\na,5.5,\nb,five,\nc,,1e3\n', csv);
    expect(result.fatal).toBeUndefined();
    expect(result.errors).toEqual([
      {
        line: 2,
        row: 1,
        column: 'duration',
        message: `duration must be one of 5, 10 for model ${DEFAULT_MODEL_ID} (got "5.5")`,
      },
      {
        line: 3,
        row: 2,
        column: 'duration',
        message: `duration must be one of 5, 10 for model ${DEFAULT_MODEL_ID} (got "five")`,
      },
      {
        line: 4,
        row: 3,
        column: 'num_inference_steps',
        message: `num_inference_steps must be an integer for model ${DEFAULT_MODEL_ID} (got "1e3")`,
      },
    ]);
    expect(result).toMatchObject({ total: 3, valid: 0, invalid: 3, errorCount: 3 });
  });

  it('checks parameters per model, with the allowed values in the message', async () => {
    const file =
      'prompt,model,aspect_ratio,duration,num_inference_steps\n' +
      'a,,16:9,7,500\n' +
      'b,acme/unknown-model,,,\n';
    const result = await validate(file, csv);
    // num_inference_steps 500 passes: the provider publishes no range for it.
    expect(result.errors.map((e) => [e.line, e.column])).toEqual([
      [2, 'aspect_ratio'],
      [2, 'duration'],
      [3, 'model'],
    ]);
    expect(result.errors[0]?.message).toContain('3:2, 1:1, 2:3');
    expect(result.errors[1]?.message).toContain('5, 10');
    expect(result.errors[2]?.message).toContain('unknown model "acme/unknown-model"');
  });

  it('requires a non-empty prompt and limits its length, saying the length and the limit', async () => {
    const long = 'x'.repeat(4001);
    const result = await validate(`prompt,duration\n,5\n"   ",5\n${long},5\n${'y'.repeat(4000)},5\n`, csv);
    expect(result.errors).toEqual([
      { line: 2, row: 1, column: 'prompt', message: 'prompt is required and must not be empty' },
      { line: 3, row: 2, column: 'prompt', message: 'prompt is required and must not be empty' },
      { line: 4, row: 3, column: 'prompt', message: 'prompt is 4001 characters long; the limit is 4000' },
    ]);
    expect(result.valid).toBe(1);
  });

  it('reports rows with a different number of cells than the header, with their line', async () => {
    const result = await validate('prompt,duration\na,5\nb,5,extra\nc\n"d\nd",5,,\n', csv);
    expect(result.errors).toEqual([
      { line: 3, row: 2, message: 'the row has 3 cells but the header has 2 columns' },
      { line: 4, row: 3, message: 'the row has 1 cell but the header has 2 columns' },
      {
        line: 5,
        row: 4,
        message:
          'the row has 4 cells but the header has 2 columns (it runs to line 6: is a quote left open?)',
      },
    ]);
    expect(result.valid).toBe(1);
  });

  it('reports a duplicate custom_id on its second use, naming the first line', async () => {
    const result = await validate('prompt,custom_id\na,id-1\nb,id-2\n\nc, id-1 \nd,id-1\n', csv);
    expect(result.errors).toEqual([
      { line: 5, row: 3, column: 'custom_id', message: 'custom_id "id-1" is already used on line 2' },
      { line: 6, row: 4, column: 'custom_id', message: 'custom_id "id-1" is already used on line 2' },
    ]);
  });

  it('limits the length of custom_id', async () => {
    const result = await validate(`prompt,custom_id\na,${'k'.repeat(257)}\n`, csv);
    expect(result.errors).toEqual([
      { line: 2, row: 1, column: 'custom_id', message: 'custom_id is 257 characters long; the limit is 256' },
    ]);
  });

  it('reports a value in a column without a header name', async () => {
    const result = await validate('prompt,,duration\na,,5\nb,oops,5\n', csv);
    expect(result.errors).toEqual([
      { line: 3, row: 2, message: 'column 2 has a value but no name in the header' },
    ]);
  });

  it('reports every problem of a row, each with its column', async () => {
    const result = await validate('prompt,duration,aspect_ratio,custom_id\n,x,4:3,a\n', csv);
    expect(result.errors.map((e) => e.column)).toEqual(['prompt', 'duration', 'aspect_ratio']);
  });
});

describe('CSV: fatal problems', () => {
  it('fails a header without a prompt column, naming what it found', async () => {
    const result = await validate('model,duration\nsber-ai/kandinsky5-t2v,5\n', csv);
    expect(result.fatal).toEqual({
      code: 'missing_prompt_column',
      message: 'the header on line 1 has no "prompt" column; found split on commas: "model", "duration"',
      line: 1,
      column: 'prompt',
    });
  });

  it('fails a file whose first line is data, not a header', async () => {
    const result = await validate('a cat on the moon,5\na dog,10\n', csv);
    expect(result.fatal?.code).toBe('no_header');
    expect(result.fatal?.line).toBe(1);
    expect(result.fatal?.message).toContain('"a cat on the moon"');
  });

  it('fails a mixed-delimiter header that hides the prompt column', async () => {
    const result = await validate('custom_id,model;prompt x\na,b\n', csv);
    expect(result.fatal?.code).toBe('missing_prompt_column');
  });

  it('fails a duplicate column', async () => {
    const result = await validate('prompt,Duration,duration \na,5,5\n', csv);
    expect(result.fatal).toEqual({
      code: 'duplicate_column',
      message: 'the header on line 1 names the column "duration" twice (columns 2 and 3)',
      line: 1,
      column: 'duration',
    });
  });

  it('fails a quote that is never closed, at the line where its row starts', async () => {
    const result = await validate('prompt,duration\na,5\n\n"b,5\nc,5\nd,5\n', csv);
    expect(result.fatal).toEqual({
      code: 'parse_error',
      message: 'a quoted field in the row starting at line 4 is never closed: the file ends inside quotes',
      line: 4,
    });
  });

  it('fails a record longer than maxRecordSize instead of buffering it', async () => {
    const limits = { maxRecordSize: 1000 };
    const result = await validate(`prompt\na\nb\n"${'x\n'.repeat(2000)}\n`, options('csv', limits));
    expect(result.fatal?.code).toBe('parse_error');
    expect(result.fatal?.line).toBe(4);
    expect(result.fatal?.message).toContain('longer than 1000 bytes');
  });

  it('fails a header-only file with no_rows', async () => {
    expect((await validate('prompt,duration\r\n\r\n', csv)).fatal).toEqual({
      code: 'no_rows',
      message: 'the file has a header (line 1) but no data rows',
      line: 1,
    });
  });
});

describe('CSV: several models in one file', () => {
  const KLING = 'kling-video/v1.6/pro/text-to-video';
  const VEO = 'google/veo-3.1-t2v';
  const header =
    'prompt,model,duration,aspect_ratio,resolution,generate_audio,seed,cfg_scale,negative_prompt,campaign\n';

  it("sends each row its model's columns, leaves empty cells to the model's default, keeps other columns as metadata", async () => {
    const file =
      header +
      `a fox,${DEFAULT_MODEL_ID},10,1:1,,,,,,spring\n` +
      `a boat,${VEO},4,16:9,720p,FALSE,42,,blurry,spring\n` +
      `a city,${KLING},,,,,,0.5,text on screen,summer\n`;
    const rows = await rowsOf(file, csv);
    expect(rows.map((r) => [r.input, { ...r.metadata }])).toEqual([
      [
        { model: DEFAULT_MODEL_ID, prompt: 'a fox', duration: 10, aspect_ratio: '1:1' },
        { campaign: 'spring' },
      ],
      [
        {
          model: VEO,
          prompt: 'a boat',
          duration: 4,
          aspect_ratio: '16:9',
          resolution: '720p',
          generate_audio: false,
          seed: 42,
          negative_prompt: 'blurry',
        },
        { campaign: 'spring' },
      ],
      [
        { model: KLING, prompt: 'a city', cfg_scale: 0.5, negative_prompt: 'text on screen' },
        { campaign: 'summer' },
      ],
    ]);
  });

  it('names the row, the column, the model and its allowed values for a bad value', async () => {
    const file =
      header +
      `a fox,${DEFAULT_MODEL_ID},,,720p,,,,,\n` +
      `a boat,${VEO},,,4k,maybe,,,,\n` +
      `a city,${KLING},7,,,,,2,,\n`;
    const result = await validate(file, csv);
    expect(result).toMatchObject({ total: 3, valid: 0, invalid: 3 });
    expect(result.errors).toEqual([
      {
        line: 2,
        row: 1,
        column: 'resolution',
        message: `resolution is not a field of model ${DEFAULT_MODEL_ID} (its fields: model, prompt, aspect_ratio, duration, num_inference_steps)`,
      },
      {
        line: 3,
        row: 2,
        column: 'resolution',
        message: `resolution must be one of 720p, 1080p for model ${VEO} (got "4k")`,
      },
      {
        line: 3,
        row: 2,
        column: 'generate_audio',
        message: `generate_audio must be true or false for model ${VEO} (got "maybe")`,
      },
      {
        line: 4,
        row: 3,
        column: 'duration',
        message: `duration must be one of 5, 10 for model ${KLING} (got "7")`,
      },
      {
        line: 4,
        row: 3,
        column: 'cfg_scale',
        message: `cfg_scale must be a number from 0 to 1 for model ${KLING} (got "2")`,
      },
    ]);
  });
});
