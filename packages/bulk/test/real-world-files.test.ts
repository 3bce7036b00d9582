import { describe, expect, it } from 'vitest';
import { validateGenerationParams } from '@vidqueue/aimlapi';
import { codePointLength, unpairedSurrogate, type BulkOptions } from '../src/index.js';
import { DEFAULT_MODEL_ID, options, rowsOf, validate } from './helpers.js';

const csv = options('csv');
const jsonl = options('jsonl');

/** What the producer passes: the same prompt limit to the row reader and to `validateGenerationParams`. */
function producerOptions(format: 'csv' | 'jsonl', maxPromptLength: number): BulkOptions {
  return {
    ...options(format, { maxPromptLength }),
    validateParams: (input) => validateGenerationParams(input, { mode: 'text', maxPromptLength }),
  };
}

describe('prompt length: Unicode code points, in the row reader and the model check alike', () => {
  it('takes exactly the limit in emoji (two UTF-16 units each) and refuses one more, once, counted in characters', async () => {
    const limited = producerOptions('csv', 4000);
    const fox = '🦊'.repeat(4000);
    expect((await validate(`prompt\n${fox}\n`, limited)).errors).toEqual([]);
    expect((await validate(`prompt\n${fox}🦊\n`, limited)).errors).toEqual([
      { line: 2, row: 1, column: 'prompt', message: 'prompt is 4001 characters long; the limit is 4000' },
    ]);
    const small = producerOptions('jsonl', 10);
    expect((await validate(JSON.stringify({ prompt: '雪🦊'.repeat(5) }), small)).valid).toBe(1);
  });

  it("counts a model's own prompt bound in characters too (minimax/hailuo-02: 2000)", async () => {
    const model = 'minimax/hailuo-02';
    const ok = await validate(JSON.stringify({ model, prompt: '🦊'.repeat(2000) }), jsonl);
    expect(ok.errors).toEqual([]);
    const over = await validate(JSON.stringify({ model, prompt: '🦊'.repeat(2001) }), jsonl);
    expect(over.errors).toEqual([
      {
        line: 1,
        row: 1,
        column: 'prompt',
        message: `prompt must be at most 2000 characters for model ${model} (got 2001)`,
      },
    ]);
  });

  it('codePointLength counts characters, not UTF-16 units', () => {
    expect(codePointLength('🦊'.repeat(3))).toBe(3);
    expect(codePointLength('café')).toBe(4);
    expect(codePointLength('')).toBe(0);
  });
});

describe('JSONL: unpaired surrogates are row errors naming the line and the field', () => {
  const half = (why: string, unit: string) =>
    `${why} contains an unpaired surrogate (${unit}): half of a character, not text`;

  it('refuses one in the prompt, custom_id, model, a parameter, a metadata value or key', async () => {
    const file = [
      '{"prompt":"a fox"}',
      '{"prompt":"bad \\ud83d here"}',
      '{"prompt":"ok","custom_id":"id-\\udc00"}',
      '{"prompt":"ok","model":"sber-ai/kandinsky5-t2v\\ud800"}',
      '{"prompt":"ok","model":"google/veo3","negative_prompt":"no \\udfff"}',
      '{"prompt":"ok","metadata":{"note":"x\\ud83d"}}',
      '{"prompt":"ok","metadata":{"k\\ud83d":"x"}}',
      '{"prompt":"a whole 🦊 \\ud83e\\udd8a"}',
    ].join('\n');
    const result = await validate(file, jsonl);
    expect(result.valid).toBe(2);
    expect(result.errors).toEqual([
      { line: 2, row: 2, column: 'prompt', message: half('prompt', '\\ud83d') },
      { line: 3, row: 3, column: 'custom_id', message: half('custom_id', '\\udc00') },
      { line: 4, row: 4, column: 'model', message: half('model', '\\ud800') },
      { line: 5, row: 5, column: 'negative_prompt', message: half('negative_prompt', '\\udfff') },
      { line: 6, row: 6, column: 'metadata.note', message: half('metadata value of "note"', '\\ud83d') },
      { line: 7, row: 7, column: 'metadata', message: half('metadata key "k\\ud83d"', '\\ud83d') },
    ]);
    const rows = await rowsOf(file, jsonl);
    expect(rows.map((r) => r.input.prompt)).toEqual(['a fox', 'a whole 🦊 🦊']);
  });

  it('unpairedSurrogate finds a lone high or low surrogate and passes whole pairs', () => {
    expect(unpairedSurrogate('bad \ud83d here')).toBe('\\ud83d');
    expect(unpairedSurrogate('end \ud83d')).toBe('\\ud83d');
    expect(unpairedSurrogate('\udc00 start')).toBe('\\udc00');
    expect(unpairedSurrogate('reversed \udd8a\ud83e')).toBe('\\udd8a');
    expect(unpairedSurrogate('a whole 🦊 and é')).toBeUndefined();
  });
});

describe("CSV: Excel's sep= first line", () => {
  it('skips `sep=;` and splits on semicolons, keeping the lines of the file', async () => {
    const file = 'sep=;\nprompt;custom_id;note\na fox, in snow;fox;a,b\n\nan owl;owl;x\n';
    expect(await rowsOf(file, csv)).toEqual([
      {
        row: 1,
        line: 3,
        input: { model: DEFAULT_MODEL_ID, prompt: 'a fox, in snow' },
        customId: 'fox',
        metadata: { note: 'a,b' },
      },
      {
        row: 2,
        line: 5,
        input: { model: DEFAULT_MODEL_ID, prompt: 'an owl' },
        customId: 'owl',
        metadata: { note: 'x' },
      },
    ]);
    const bad = await validate('sep=;\nprompt;duration\nok;5\nbad;7\n', csv);
    expect(bad.errors).toEqual([expect.objectContaining({ line: 4, row: 2, column: 'duration' })]);
  });

  it('takes `sep=,` and `sep=<tab>` after a BOM and with CRLF, and the quoted form Excel writes back', async () => {
    const prompts = async (file: string) => (await rowsOf(file, csv)).map((r) => [r.line, r.input.prompt]);
    expect(await prompts('\uFEFFsep=,\r\nprompt,custom_id\r\na;b,x\r\n')).toEqual([[3, 'a;b']]);
    expect(await prompts('sep=\t\nprompt\tcustom_id\na, b; c\tx\n')).toEqual([[3, 'a, b; c']]);
    expect(await prompts('"sep=;";;\nprompt;custom_id;n\na, b;x;1\n')).toEqual([[3, 'a, b']]);
    expect(await prompts('SEP=;\nprompt;n\na,b;1\n')).toEqual([[3, 'a,b']]);
  });

  it('uses the declared delimiter even when another one would find a prompt column too', async () => {
    // Detected alone, the header splits on commas (more columns); declared, it splits on semicolons.
    const rows = await rowsOf('sep=;\nprompt;a,b,c\nx, y;1,2,3\n', csv);
    expect(rows).toEqual([
      { row: 1, line: 3, input: { model: DEFAULT_MODEL_ID, prompt: 'x, y' }, metadata: { 'a,b,c': '1,2,3' } },
    ]);
  });

  it('reports header problems at their real line, and refuses a delimiter it does not read', async () => {
    expect((await validate('sep=;\nmodel;duration\nm;5\n', csv)).fatal).toEqual({
      code: 'missing_prompt_column',
      message: 'the header on line 2 has no "prompt" column; found split on semicolons: "model", "duration"',
      line: 2,
      column: 'prompt',
    });
    expect((await validate('sep=;\nprompt;duration\n"open;5\n', csv)).fatal).toEqual(
      expect.objectContaining({ code: 'parse_error', line: 3 }),
    );
    expect((await validate('sep=|\nprompt|duration\na|5\n', csv)).fatal).toEqual({
      code: 'parse_error',
      message:
        'line 1 declares the delimiter "|" ("sep=|"); the delimiter must be a comma, a semicolon or a tab',
      line: 1,
    });
  });

  it('reads a sep= line only as the first line, and not a header that merely starts like one', async () => {
    expect((await validate('\nsep=;\nprompt;n\na;1\n', csv)).fatal?.code).toBe('no_header');
    expect((await validate('sep=;\nsep=;\nprompt;n\na;1\n', csv)).fatal?.code).toBe('no_header');
    const rows = await rowsOf('sep=x,prompt\nmeta,a fox\n', csv);
    expect(rows).toEqual([
      { row: 1, line: 2, input: { model: DEFAULT_MODEL_ID, prompt: 'a fox' }, metadata: { 'sep=x': 'meta' } },
    ]);
  });

  it('fails a file holding nothing but the sep= line as empty', async () => {
    expect((await validate('sep=;\n', csv)).fatal?.code).toBe('empty_file');
  });
});
