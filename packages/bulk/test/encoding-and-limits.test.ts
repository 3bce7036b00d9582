import { describe, expect, it } from 'vitest';
import { BULK_FATAL_STATUS, validateBulkFile } from '../src/index.js';
import { options, pieces, rowsOf, validate } from './helpers.js';

const csv = options('csv');
const bytes = (...parts: (string | number[])[]): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

describe('UTF-8', () => {
  it('decodes characters split across chunks at every byte', async () => {
    const file = 'prompt,note\nżółw 🐢 na plaży,日本\n';
    expect((await rowsOf(file, csv))[0]).toMatchObject({
      input: { prompt: 'żółw 🐢 na plaży' },
      metadata: { note: '日本' },
    });
  });

  it.each([
    ['an invalid byte', bytes('prompt\nok\ncaf', [0xe9], ' au lait\n'), 13, 3, '0xE9'],
    ['a lone continuation byte', bytes('prompt\n', [0x80], '\n'), 7, 2, '0x80'],
    ['an overlong encoding', bytes('prompt\na', [0xc0, 0x80], '\n'), 8, 2, '0xC0'],
    ['an encoded surrogate', bytes('prompt\nab', [0xed, 0xa0, 0x80], '\n'), 9, 2, '0xED'],
    ['a code point above U+10FFFF', bytes('prompt\n\n\n', [0xf4, 0x90, 0x80, 0x80]), 9, 4, '0xF4'],
  ])('fails %s with its byte offset and line', async (_name, file, offset, line, shown) => {
    const result = await validate(file, csv);
    expect(result.fatal).toEqual({
      code: 'not_utf8',
      message: `the file is not valid UTF-8: byte ${shown} at byte offset ${offset} (line ${line}); save it as UTF-8`,
      line,
      byteOffset: offset,
    });
  });

  it('fails a file that ends in the middle of a character', async () => {
    const result = await validate(bytes('prompt\nfox ', [0xf0, 0x9f, 0xa6]), csv);
    expect(result.fatal).toMatchObject({ code: 'not_utf8', line: 2, byteOffset: 11 });
    expect(result.fatal?.message).toContain('ends in the middle of a character');
  });

  it('fails UTF-16 files with a clear message', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('prompt\r\na\r\n', 'utf16le')]);
    const result = await validate(utf16, csv);
    expect(result.fatal).toMatchObject({ code: 'not_utf8', line: 1, byteOffset: 0 });
    expect(result.fatal?.message).toContain('UTF-16');
  });

  it('fails a NUL byte as binary with its offset and line', async () => {
    const result = await validate(bytes('prompt\na\nb', [0], 'c\n'), csv);
    expect(result.fatal).toEqual({
      code: 'binary',
      message:
        'the file is binary, not text: NUL byte at byte offset 10 (line 3); upload a UTF-8 CSV or JSONL file',
      line: 3,
      byteOffset: 10,
    });
  });

  it('reports the rows before a fatal problem', async () => {
    const result = await validateBulkFile(
      pieces(bytes('prompt,duration\na,5\nb,7\n', 'c'.repeat(70_000), [0xff], '\n'), 1000),
      csv,
    );
    expect(result).toMatchObject({ total: 2, valid: 1, invalid: 1, fatal: { code: 'not_utf8', line: 4 } });
  });
});

describe('limits', () => {
  it('stops at maxBytes without reading the rest of the stream', async () => {
    let produced = 0;
    async function* endless(): AsyncGenerator<string> {
      yield 'prompt\n';
      for (;;) {
        await Promise.resolve();
        produced++;
        yield 'a prompt of some length\n'.repeat(100);
      }
    }
    const result = await validateBulkFile(endless(), options('csv', { maxBytes: 100_000 }));
    expect(result.fatal).toMatchObject({ code: 'too_large' });
    expect(result.fatal?.message).toBe(
      'the file is larger than the limit of 100000 bytes (the limit is reached on line 4168)',
    );
    expect(BULK_FATAL_STATUS[result.fatal!.code]).toBe(413);
    expect(produced).toBeLessThan(50);
  });

  it('says the limit in MiB when it is a whole number of MiB', async () => {
    const result = await validate(
      `prompt\n${'a'.repeat(1024 * 1024)}\n`,
      options('csv', { maxBytes: 1024 * 1024 }),
    );
    expect(result.fatal?.message).toContain('1 MiB (1048576 bytes)');
  });

  it('stops at maxRows with too_many_rows and the line of the first row over', async () => {
    const file = `prompt\n${Array.from({ length: 30 }, (_, i) => `p${i}`).join('\n\n')}\n`;
    const result = await validate(file, options('csv', { maxRows: 10 }));
    expect(result.fatal).toEqual({
      code: 'too_many_rows',
      message: 'the file has more than 10 rows (row 11 is on line 22); split it into several batches',
      line: 22,
    });
    expect(result.total).toBe(10);
    expect(BULK_FATAL_STATUS.too_many_rows).toBe(413);
  });

  it('keeps the first maxErrors errors and counts the rest', async () => {
    const file = `prompt,duration\n${Array.from({ length: 150 }, (_, i) => `p${i},x`).join('\n')}\n`;
    const result = await validateBulkFile(file, csv);
    expect(result.errors).toHaveLength(100);
    expect(result.errorCount).toBe(150);
    expect(result.errors[99]?.line).toBe(101);
    const few = await validateBulkFile(file, { ...csv, maxErrors: 3 });
    expect(few.errors.map((e) => e.line)).toEqual([2, 3, 4]);
  });

  it('rejects limits that are not positive integers', async () => {
    await expect(validateBulkFile('prompt\na\n', options('csv', { maxRows: 0 }))).rejects.toThrow(
      'bulk limit maxRows must be a positive integer (got 0)',
    );
  });

  it.each([
    ['empty', ''],
    ['only a BOM', '\uFEFF'],
    ['only blank lines', '\r\n\n   \n\t\n'],
  ])('fails an %s file with empty_file', async (_name, file) => {
    expect((await validate(file, csv)).fatal).toMatchObject({ code: 'empty_file', line: 1 });
    expect((await validate(file, options('jsonl'))).fatal).toMatchObject({ code: 'empty_file', line: 1 });
  });
});
