import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { METADATA_LIMITS } from '@vidqueue/core/contract';
import { makeApp, type TestApp } from './helpers.js';
import { jobTotal, postBatch, usePrivateTmpdir, type Created, type ErrorReply } from './batch-helpers.js';

/**
 * The issue: a 1 MiB metadata object with 10,000 keys was accepted, and 20 of them grew Redis from 5 MB to
 * 26 MB for 7 days. Metadata is now bounded (keys, key length, value length, bytes), by one rule for a
 * single video and for every row of a batch file, answered with the limit it broke.
 */
usePrivateTmpdir();

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.close();
});

const { maxKeys, maxKeyLength, maxValueLength, maxBytes } = METADATA_LIMITS;

function keys(n: number, value = 'v'): Record<string, string> {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, value]));
}

type Issue = { path: string; message: string };

async function refused(metadata: unknown): Promise<Issue[]> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/videos',
    payload: { prompt: 'a red fox', metadata },
  });
  expect(res.statusCode).toBe(400);
  const body = res.json<{ error: { code: string; details: Issue[] } }>();
  expect(body.error.code).toBe('VALIDATION_ERROR');
  return body.error.details;
}

describe('POST /v1/videos: metadata limits', () => {
  it('refuses the 10,000-key, 1 MiB object with one issue naming the limit, and enqueues nothing', async () => {
    const huge = keys(10_000, 'x'.repeat(91));
    // About 1 MB: just under the 1 MiB body limit, as in the issue.
    expect(JSON.stringify(huge).length).toBeGreaterThan(1_000_000);
    expect(JSON.stringify(huge).length).toBeLessThan(1024 * 1024 - 100);
    expect(await refused(huge)).toEqual([
      { path: 'metadata', message: `metadata has 10000 keys; the limit is ${maxKeys}` },
    ]);
    expect(await jobTotal(t.app)).toBe(0);
  });

  it('refuses a key, a value or the whole object over its limit, naming the key and the limit', async () => {
    const longKey = 'a'.repeat(maxKeyLength + 1);
    expect(await refused({ [longKey]: 1 })).toEqual([
      {
        path: `metadata.${'a'.repeat(39)}…`,
        message: `metadata key "${'a'.repeat(39)}…" is ${maxKeyLength + 1} characters long; the limit is ${maxKeyLength}`,
      },
    ]);
    expect(await refused({ note: 'é'.repeat(maxValueLength + 1) })).toEqual([
      {
        path: 'metadata.note',
        message: `metadata value of "note" is ${maxValueLength + 1} characters long; the limit is ${maxValueLength}`,
      },
    ]);
    const [issue] = await refused(keys(maxKeys, 'v'.repeat(200)));
    expect(issue).toEqual({
      path: 'metadata',
      message: expect.stringMatching(
        new RegExp(`^metadata is \\d+ bytes as JSON; the limit is ${maxBytes}$`),
      ) as unknown,
    });
    expect(await jobTotal(t.app)).toBe(0);
  });

  it('accepts metadata right at the limits', async () => {
    const atLimits = {
      ...keys(maxKeys - 2),
      ['k'.repeat(maxKeyLength)]: 1,
      note: 'n'.repeat(maxValueLength),
    };
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/videos',
      payload: { prompt: 'a red fox', metadata: atLimits },
    });
    expect(res.statusCode).toBe(202);
  });
});

describe('POST /v1/batches: metadata limits per row', () => {
  it('refuses a CSV with more metadata columns than the limit, and a cell over it, naming row and column', async () => {
    const extra = Array.from({ length: maxKeys + 1 }, (_, i) => `c${i}`);
    const wide = `prompt,${extra.join(',')}\na red fox,${extra.map(() => 'x').join(',')}\n`;
    const res = await postBatch(t.app, wide);
    expect(res.statusCode).toBe(422);
    expect(res.json<ErrorReply>().error).toMatchObject({
      code: 'INVALID_ROWS',
      details: {
        error_count: 1,
        errors: [{ line: 2, row: 1, message: `metadata has ${maxKeys + 1} keys; the limit is ${maxKeys}` }],
      },
    });

    const long = `prompt,note\na red fox,short\na lighthouse,${'y'.repeat(maxValueLength + 1)}\n`;
    const cell = await postBatch(t.app, long);
    expect(cell.statusCode).toBe(422);
    expect(cell.json<ErrorReply>().error.details?.errors).toEqual([
      {
        line: 3,
        row: 2,
        column: 'note',
        message: `metadata value of "note" is ${maxValueLength + 1} characters long; the limit is ${maxValueLength}`,
      },
    ]);
    expect(await jobTotal(t.app)).toBe(0);
  });

  it('names metadata.<key> in a JSONL row, and skips such rows with on_invalid=skip', async () => {
    const jsonl = [
      JSON.stringify({ prompt: 'fine', metadata: { note: 'ok' } }),
      JSON.stringify({ prompt: 'too big', metadata: { note: 'z'.repeat(maxValueLength + 1) } }),
      JSON.stringify({ prompt: 'too many', metadata: keys(maxKeys + 1) }),
    ].join('\n');
    const res = await postBatch(t.app, jsonl, 'application/x-ndjson', '?on_invalid=skip');
    expect(res.statusCode).toBe(202);
    const body = res.json<Created>();
    expect(body).toMatchObject({ total: 1, skipped: 2 });
    expect(body.skipped_rows).toEqual([
      {
        line: 2,
        row: 2,
        column: 'metadata.note',
        message: `metadata value of "note" is ${maxValueLength + 1} characters long; the limit is ${maxValueLength}`,
      },
      {
        line: 3,
        row: 3,
        column: 'metadata',
        message: `metadata has ${maxKeys + 1} keys; the limit is ${maxKeys}`,
      },
    ]);
    expect(await jobTotal(t.app)).toBe(1);
  });
});
