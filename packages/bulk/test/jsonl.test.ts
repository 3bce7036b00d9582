import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_ID, options, rowsOf, validate } from './helpers.js';

const jsonl = options('jsonl');
const lines = (...items: unknown[]): string => items.map((item) => JSON.stringify(item)).join('\n');

describe('JSONL: good files', () => {
  it('reads one object per line with metadata of scalars, numbers as numbers or numeric strings', async () => {
    const file = lines(
      {
        prompt: 'a red fox',
        duration: 10,
        aspect_ratio: '2:3',
        custom_id: 'fox',
        metadata: { campaign: 'winter', n: 3, ok: true, none: null },
      },
      {
        prompt: '  雪の狐 🦊 ',
        model: 'sber-ai/kandinsky5-t2v',
        duration: '5',
        num_inference_steps: '30',
        custom_id: 42,
      },
    );
    expect(await rowsOf(file, jsonl)).toEqual([
      {
        row: 1,
        line: 1,
        input: { model: DEFAULT_MODEL_ID, prompt: 'a red fox', duration: 10, aspect_ratio: '2:3' },
        customId: 'fox',
        metadata: { campaign: 'winter', n: 3, ok: true, none: null },
      },
      {
        row: 2,
        line: 2,
        input: { model: 'sber-ai/kandinsky5-t2v', prompt: '雪の狐 🦊', duration: 5, num_inference_steps: 30 },
        customId: '42',
      },
    ]);
  });

  it('skips blank lines, accepts CRLF and a BOM, and treats null fields as absent', async () => {
    const file = `\uFEFF\r\n${JSON.stringify({ prompt: 'a', duration: null, metadata: null })}\r\n   \r\n\r\n{"prompt":"b"}`;
    const rows = await rowsOf(file, jsonl);
    expect(rows).toEqual([
      { row: 1, line: 2, input: { model: DEFAULT_MODEL_ID, prompt: 'a' } },
      { row: 2, line: 5, input: { model: DEFAULT_MODEL_ID, prompt: 'b' } },
    ]);
  });
});

describe('JSONL: row errors', () => {
  it('reports invalid JSON and non-objects with their line, and goes on', async () => {
    const file = [
      '{"prompt":"ok"}',
      '{"prompt": "cut',
      '[{"prompt":"x"}]',
      '"just a string"',
      '42',
      'null',
      '{"prompt":"fine"}',
    ].join('\n');
    const result = await validate(file, jsonl);
    expect(result).toMatchObject({ total: 7, valid: 2, invalid: 5, errorCount: 5 });
    expect(result.errors.map((e) => [e.line, e.row, e.column])).toEqual([
      [2, 2, undefined],
      [3, 3, undefined],
      [4, 4, undefined],
      [5, 5, undefined],
      [6, 6, undefined],
    ]);
    expect(result.errors[0]?.message).toMatch(/^invalid JSON: /);
    expect(result.errors.slice(1).map((e) => e.message)).toEqual([
      'each line must be a JSON object, got an array',
      'each line must be a JSON object, got a string',
      'each line must be a JSON object, got a number',
      'each line must be a JSON object, got null',
    ]);
  });

  it('names unknown top-level fields, with a hint for a wrong case, and fields of other models', async () => {
    const result = await validate(lines({ prompt: 'a', campaign: 'x', Duration: 5, seed: 1 }), jsonl);
    expect(result.errors.map((e) => e.column)).toEqual(['campaign', 'Duration', 'seed']);
    expect(result.errors[0]?.message).toContain('unknown field "campaign"');
    expect(result.errors[0]?.message).toContain('metadata');
    expect(result.errors[1]?.message).toContain('did you mean "duration"?');
    // seed is a field of other models, not of Kandinsky: the model and its fields are named.
    expect(result.errors[2]?.message).toBe(
      `seed is not a field of model ${DEFAULT_MODEL_ID} (its fields: model, prompt, aspect_ratio, duration, num_inference_steps)`,
    );
  });

  it('requires metadata to be an object of scalars, naming the bad key', async () => {
    const result = await validate(
      lines(
        { prompt: 'a', metadata: { tags: ['x'], ok: 1, nested: { a: 1 } } },
        { prompt: 'b', metadata: 'team' },
        { prompt: 'c', metadata: [1] },
      ),
      jsonl,
    );
    expect(result.errors.map((e) => [e.line, e.column])).toEqual([
      [1, 'metadata.tags'],
      [1, 'metadata.nested'],
      [2, 'metadata'],
      [3, 'metadata'],
    ]);
    expect(result.errors[0]?.message).toBe(
      'metadata values must be strings, numbers, booleans or null; "tags" is an array',
    );
  });

  it('calls a metadata number JSON cannot hold (1e309) out of range, not "a number"', async () => {
    const result = await validate('{"prompt":"a","metadata":{"n":1e309}}\n', jsonl);
    expect(result.errors.map((e) => [e.line, e.column, e.message])).toEqual([
      [
        1,
        'metadata.n',
        'metadata values must be strings, numbers, booleans or null; "n" is a number out of range',
      ],
    ]);
  });

  it('checks field types: prompt a string, integers whole, custom_id a string or integer', async () => {
    const result = await validate(
      lines(
        { prompt: 5 },
        { prompt: 'a', duration: 5.5 },
        { prompt: 'b', num_inference_steps: 'ten' },
        { prompt: 'c', duration: true },
        { prompt: 'd', aspect_ratio: 1.5 },
        { prompt: 'e', custom_id: { id: 1 } },
        { prompt: '' },
      ),
      jsonl,
    );
    expect(result.errors.map((e) => [e.line, e.column, e.message])).toEqual([
      [1, 'prompt', 'prompt must be a string (got 5)'],
      [2, 'duration', `duration must be one of 5, 10 for model ${DEFAULT_MODEL_ID} (got 5.5)`],
      [
        3,
        'num_inference_steps',
        `num_inference_steps must be an integer for model ${DEFAULT_MODEL_ID} (got "ten")`,
      ],
      [4, 'duration', `duration must be one of 5, 10 for model ${DEFAULT_MODEL_ID} (got true)`],
      [
        5,
        'aspect_ratio',
        `aspect_ratio must be one of 3:2, 1:1, 2:3 for model ${DEFAULT_MODEL_ID} (got 1.5)`,
      ],
      [6, 'custom_id', 'custom_id must be a string (got {"id":1})'],
      [7, 'prompt', 'prompt is required and must not be empty'],
    ]);
  });

  it('reports a line longer than maxRecordSize without buffering it, then reads on', async () => {
    const opts = options('jsonl', { maxRecordSize: 100 });
    const file = `{"prompt":"a"}\n{"prompt":"${'x'.repeat(5000)}"}\n{"prompt":"b"}\n`;
    const result = await validate(file, opts);
    expect(result.errors).toEqual([{ line: 2, row: 2, message: 'the line is longer than 100 characters' }]);
    expect(result.valid).toBe(2);
  });

  it('reports a duplicate custom_id naming the first line', async () => {
    const result = await validate(
      lines({ prompt: 'a', custom_id: 7 }, { prompt: 'b', custom_id: '7' }),
      jsonl,
    );
    expect(result.errors).toEqual([
      { line: 2, row: 2, column: 'custom_id', message: 'custom_id "7" is already used on line 1' },
    ]);
  });

  it('checks per-model parameters', async () => {
    const result = await validate(lines({ prompt: 'a', aspect_ratio: '16:9', duration: 6 }), jsonl);
    expect(result.errors.map((e) => e.column)).toEqual(['aspect_ratio', 'duration']);
    expect(result.errors[0]?.message).toContain('3:2, 1:1, 2:3');
  });

  it('fails a file with no JSON lines as empty_file', async () => {
    expect((await validate('\n  \n\r\n', jsonl)).fatal).toEqual({
      code: 'empty_file',
      message: 'the file is empty: no JSON lines',
      line: 1,
    });
  });
});
