import { describe, expect, it } from 'vitest';
import { VidqueueError } from '../src/errors.js';
import { uploadFormat } from '../src/upload-format.js';

describe('uploadFormat: what a file is sent as', () => {
  it('reads .jsonl and .ndjson as JSONL, anything else as CSV, and a format given as given', () => {
    expect(uploadFormat('rows.jsonl', undefined)).toBe('jsonl');
    expect(uploadFormat('ROWS.NDJSON', undefined)).toBe('jsonl');
    expect(uploadFormat('rows.csv', undefined)).toBe('csv');
    expect(uploadFormat('rows.txt', undefined)).toBe('csv');
    expect(uploadFormat('rows.json', 'jsonl')).toBe('jsonl');
  });

  it('refuses a .json file without a format (a JSON document is neither CSV nor JSONL), saying what to do', () => {
    let caught: unknown;
    try {
      uploadFormat('prompts.json', undefined);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(VidqueueError);
    expect(caught).toMatchObject({ code: 'UNSUPPORTED_FILE' });
    expect((caught as Error).message).toMatch(/^prompts\.json is a \.json file: .*save it as \.jsonl/);
  });
});
