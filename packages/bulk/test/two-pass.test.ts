import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BulkFatalError,
  formatFatal,
  formatRowError,
  inChunks,
  iterateBulkRows,
  readBulkRows,
  validateBulkFile,
  type BulkEvent,
  type ValidateParams,
} from '../src/index.js';
import { DEFAULT_MODEL_ID, options } from './helpers.js';

let dir: string;
let file: string;
const csv = options('csv');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vidq-bulk-'));
  file = join(dir, 'upload.csv');
  const rows = Array.from({ length: 1234 }, (_, i) => {
    const n = i + 1;
    const duration = n % 100 === 0 ? 7 : 5; // every 100th row is invalid
    return `"prompt ${n}, with a comma",${duration},row-${n},${n % 3}`;
  });
  await writeFile(file, `\uFEFFprompt,duration,custom_id,group\r\n${rows.join('\r\n')}\r\n`);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('two passes over a spooled upload', () => {
  it('validates from a file stream, then yields the valid rows in chunks', async () => {
    const checked = await validateBulkFile(createReadStream(file, { highWaterMark: 1000 }), csv);
    expect(checked).toMatchObject({ total: 1234, valid: 1222, invalid: 12, errorCount: 12 });
    expect(checked.errors[0]).toEqual({
      line: 101,
      row: 100,
      column: 'duration',
      message: `duration must be one of 5, 10 for model ${DEFAULT_MODEL_ID} (got "7")`,
    });

    const sizes: number[] = [];
    const seen: string[] = [];
    for await (const chunk of inChunks(iterateBulkRows(createReadStream(file), csv), 500)) {
      sizes.push(chunk.length);
      seen.push(...chunk.map((row) => row.customId ?? ''));
    }
    expect(sizes).toEqual([500, 500, 222]);
    expect(seen).toHaveLength(checked.valid);
    expect(seen).not.toContain('row-100');
    expect(seen.at(-1)).toBe('row-1234');
  });

  it('closes the file stream when the caller stops early', async () => {
    const stream = createReadStream(file, { highWaterMark: 256 });
    for await (const row of iterateBulkRows(stream, csv)) {
      expect(row).toEqual({
        row: 1,
        line: 2,
        input: { model: DEFAULT_MODEL_ID, prompt: 'prompt 1, with a comma', duration: 5 },
        customId: 'row-1',
        metadata: { group: '1' },
      });
      break;
    }
    await expect.poll(() => stream.destroyed).toBe(true);
  });

  it('throws BulkFatalError from iterateBulkRows for an unreadable file, after the rows before it', async () => {
    const rows: number[] = [];
    let caught: unknown;
    try {
      for await (const row of iterateBulkRows('prompt\na\nb\n"c\n', csv)) rows.push(row.row);
    } catch (err) {
      caught = err;
    }
    expect(rows).toEqual([1, 2]);
    expect(caught).toBeInstanceOf(BulkFatalError);
    expect((caught as BulkFatalError).fatal).toMatchObject({ code: 'parse_error', line: 4 });
  });

  it('gives readBulkRows events in file order, a fatal one last', async () => {
    const events: BulkEvent[] = [];
    for await (const event of readBulkRows('prompt,duration\na,5\nb,x\n"c,5\n', csv)) events.push(event);
    expect(events.map((e) => e.kind)).toEqual(['row', 'invalid', 'fatal']);
    expect(events[1]).toEqual({
      kind: 'invalid',
      row: 2,
      line: 3,
      errors: [
        {
          line: 3,
          row: 2,
          column: 'duration',
          message: `duration must be one of 5, 10 for model ${DEFAULT_MODEL_ID} (got "x")`,
        },
      ],
    });
  });

  it('hands validateBulkFile events to an awaited onEvent, after counting them', async () => {
    const seen: string[] = [];
    const result = await validateBulkFile('prompt,duration\na,5\nb,x\n"c,5\n', {
      ...csv,
      onEvent: async (event) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        seen.push(event.kind);
      },
    });
    expect(seen).toEqual(['row', 'invalid', 'fatal']);
    expect(result).toMatchObject({ total: 2, valid: 1, invalid: 1, errorCount: 1 });
    expect(result.fatal).toMatchObject({ code: 'parse_error', line: 4 });

    const failure = new Error('stage failed');
    await expect(
      validateBulkFile('prompt\na\nb\n', {
        ...csv,
        onEvent: () => {
          throw failure;
        },
      }),
    ).rejects.toBe(failure);
  });

  it('awaits onEvent only when it returns a promise, and stops at a promise that rejects', async () => {
    const order: string[] = [];
    const result = await validateBulkFile('prompt\na\nb\nc\nd\n', {
      ...csv,
      onEvent: (event) => {
        if (event.kind !== 'row') return undefined;
        const row = event.row.row;
        if (row % 2 === 1) {
          order.push(`sync ${row}`);
          return undefined;
        }
        // A write that finishes only after the next event could be read: the reader waits for it.
        return new Promise<void>((resolve) =>
          setTimeout(() => {
            order.push(`async ${row}`);
            resolve();
          }, 5),
        );
      },
    });
    expect(order).toEqual(['sync 1', 'async 2', 'sync 3', 'async 4']);
    expect(result).toMatchObject({ total: 4, valid: 4 });

    const failure = new Error('stage failed');
    const seen: number[] = [];
    await expect(
      validateBulkFile('prompt\na\nb\nc\n', {
        ...csv,
        onEvent: (event) => {
          if (event.kind !== 'row') return undefined;
          seen.push(event.row.row);
          return event.row.row === 2 ? Promise.reject(failure) : undefined;
        },
      }),
    ).rejects.toBe(failure);
    expect(seen).toEqual([1, 2]);
  });

  it('uses the injected validateParams and reports its issues by column', async () => {
    const calls: Record<string, unknown>[] = [];
    const validateParams: ValidateParams = (input) => {
      calls.push(input);
      return input.prompt === 'forbidden'
        ? { ok: false, issues: [{ path: 'prompt', message: 'prompt is not allowed here' }] }
        : { ok: true, value: { model: String(input.model), prompt: String(input.prompt) } };
    };
    const result = await validateBulkFile('prompt,duration\nok,5\nforbidden,\n', {
      format: 'csv',
      defaultModel: 'acme/any',
      validateParams,
    });
    expect(result.errors).toEqual([
      { line: 3, row: 2, column: 'prompt', message: 'prompt is not allowed here' },
    ]);
    expect(calls).toEqual([
      { model: 'acme/any', prompt: 'ok', duration: '5' },
      { model: 'acme/any', prompt: 'forbidden' },
    ]);
  });

  it('formats errors for logs and CLIs', async () => {
    const result = await validateBulkFile('prompt,duration\na,x\n', csv);
    expect(formatRowError(result.errors[0]!)).toBe(
      'line 2, column duration: duration must be one of 5, 10 for model sber-ai/kandinsky5-distill-t2v (got "x")',
    );
    expect(formatRowError({ line: 9, message: 'the row has 1 cell but the header has 2 columns' })).toBe(
      'line 9: the row has 1 cell but the header has 2 columns',
    );
    const fatal = await validateBulkFile('', csv);
    expect(formatFatal(fatal.fatal!)).toBe('empty_file: the file is empty: no header and no rows');
  });

  it('rejects an unknown format as a programming error', async () => {
    await expect(validateBulkFile('prompt\na\n', { ...csv, format: 'xlsx' as 'csv' })).rejects.toThrow(
      TypeError,
    );
  });
});
