import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { vidqKeys } from '@vidqueue/core/contract';
import { makeApp, testRedis, type TestApp } from './helpers.js';
import {
  jobTotal,
  postBatch,
  sumCounts,
  usePrivateTmpdir,
  type BatchBody,
  type Created,
  type ErrorReply,
} from './batch-helpers.js';

// POST /v1/batches with an Idempotency-Key: the same upload answers the same batch (and resumes one
// whose enqueueing broke midway); another file, or the same file with other options, is refused.

usePrivateTmpdir();

let t: TestApp;
let redis: Redis;

beforeEach(async () => {
  t = await makeApp({ MAX_UPLOAD_BYTES: '4000', MAX_BATCH_ROWS: '20', MAX_PROMPT_LENGTH: '200' });
  redis = testRedis();
});

afterEach(async () => {
  await t.close();
  await redis.quit();
});

describe('POST /v1/batches: Idempotency-Key', () => {
  const csv = 'prompt\na\nb\nc\n';

  it('returns the same batch for the same file, 409 for a different one', async () => {
    const headers = { 'idempotency-key': 'upload-1' };
    const first = await postBatch(t.app, csv, 'text/csv', '', headers);
    expect(first.statusCode).toBe(202);
    const again = await postBatch(t.app, csv, 'text/csv', '', headers);
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json<Created>().id).toBe(first.json<Created>().id);
    expect(await jobTotal(t.app)).toBe(3);
    const other = await postBatch(t.app, 'prompt\nz\n', 'text/csv', '', headers);
    expect(other.statusCode).toBe(409);
    expect(other.json<ErrorReply>().error.code).toBe('IDEMPOTENCY_KEY_MISMATCH');
    expect(await jobTotal(t.app)).toBe(3);
  });

  it('concurrent repeats make one batch', async () => {
    const headers = { 'idempotency-key': 'upload-2' };
    const replies = await Promise.all([1, 2, 3].map(() => postBatch(t.app, csv, 'text/csv', '', headers)));
    const ids = new Set(replies.map((r) => r.json<Created>().id));
    expect(ids.size).toBe(1);
    for (const r of replies) expect([200, 202]).toContain(r.statusCode);
    expect(await jobTotal(t.app)).toBe(3);
    const id = [...ids][0] ?? '';
    const view = await t.app.inject({ method: 'GET', url: `/v1/batches/${id}` });
    expect(sumCounts(view.json<BatchBody>().counts)).toBe(3);
  });

  it('resumes a batch whose enqueueing broke midway', async () => {
    const headers = { 'idempotency-key': 'upload-3' };
    const first = await postBatch(t.app, csv, 'text/csv', '', headers);
    const { id } = first.json<Created>();
    // As if the API died after the first job: the record is not marked enqueued, two jobs are missing.
    const keys = vidqKeys(t.config.QUEUE_PREFIX).batch(id);
    await redis.hdel(keys.meta, 'enqueued_at');
    await t.app.queue.remove(`${id}-2`);
    await t.app.queue.remove(`${id}-3`);
    expect(await jobTotal(t.app)).toBe(1);

    const again = await postBatch(t.app, csv, 'text/csv', '', headers);
    expect(again.statusCode).toBe(202);
    expect(again.json<Created>().id).toBe(id);
    expect(await jobTotal(t.app)).toBe(3);
    const view = await t.app.inject({ method: 'GET', url: `/v1/batches/${id}` });
    expect(view.json<BatchBody>()).toMatchObject({ total: 3, counts: { queued: 3 } });
  });
});

describe('POST /v1/batches: Idempotency-Key and the options of the upload', () => {
  const csv = 'prompt\na\nb\nc\n';
  const OTHER_MODEL = 'sber-ai/kandinsky5-t2v';

  async function models(id: string): Promise<string[]> {
    const jobs = await t.app.queue.getJobs([
      'prioritized',
      'waiting',
      'delayed',
      'active',
      'completed',
      'failed',
    ]);
    return jobs
      .filter((j) => j.data.batchId === id)
      .map((j) => j.data.input.model)
      .sort();
  }

  it('a repeat with another ?model= or ?on_invalid= answers 409 IDEMPOTENCY_KEY_MISMATCH, not the first batch', async () => {
    const headers = { 'idempotency-key': 'upload-options-1' };
    const first = await postBatch(t.app, csv, 'text/csv', '', headers);
    expect(first.statusCode).toBe(202);
    for (const query of [`?model=${OTHER_MODEL}`, '?on_invalid=skip']) {
      const other = await postBatch(t.app, csv, 'text/csv', query, headers);
      expect(other.statusCode, query).toBe(409);
      expect(other.json<ErrorReply>().error, query).toEqual({
        code: 'IDEMPOTENCY_KEY_MISMATCH',
        message: 'This Idempotency-Key was already used with a different request body',
      });
    }
    // The same bytes as JSONL would be another request too (a CSV read as JSONL is not the same rows).
    const asJsonl = await postBatch(t.app, csv, 'application/x-ndjson', '', headers);
    expect(asJsonl.statusCode).toBe(409);
    // The very same request still answers the first batch; the default model named explicitly is the same request.
    const again = await postBatch(
      t.app,
      csv,
      'text/csv',
      `?model=${t.config.DEFAULT_MODEL}&on_invalid=reject`,
      headers,
    );
    expect(again.statusCode).toBe(200);
    expect(again.json<Created>().id).toBe(first.json<Created>().id);
    expect(await jobTotal(t.app)).toBe(3);
    // A claim made before the options were part of it (`<batchId> <sha256>`) still compares the file.
    const idemKey = vidqKeys(t.config.QUEUE_PREFIX).batchIdempotency('upload-options-1');
    const sha256 = createHash('sha256').update(csv).digest('hex');
    await redis.set(idemKey, `${first.json<Created>().id} ${sha256}`, 'KEEPTTL');
    expect((await postBatch(t.app, csv, 'text/csv', '', headers)).statusCode).toBe(200);
    expect((await postBatch(t.app, 'prompt\nz\n', 'text/csv', '', headers)).statusCode).toBe(409);
  });

  it('a resumed upload cannot enqueue another model than the one it started with', async () => {
    const headers = { 'idempotency-key': 'upload-options-2' };
    const first = await postBatch(t.app, csv, 'text/csv', '', headers);
    const { id } = first.json<Created>();
    // As if the API died after the first job: the record is not marked enqueued, two jobs are missing.
    await redis.hdel(vidqKeys(t.config.QUEUE_PREFIX).batch(id).meta, 'enqueued_at');
    await t.app.queue.remove(`${id}-2`);
    await t.app.queue.remove(`${id}-3`);

    const other = await postBatch(t.app, csv, 'text/csv', `?model=${OTHER_MODEL}`, headers);
    expect(other.statusCode).toBe(409);
    expect(other.json<ErrorReply>().error.code).toBe('IDEMPOTENCY_KEY_MISMATCH');
    expect(await models(id)).toEqual([t.config.DEFAULT_MODEL]);

    const resumed = await postBatch(t.app, csv, 'text/csv', '', headers);
    expect(resumed.statusCode).toBe(202);
    expect(resumed.json<Created>().id).toBe(id);
    expect(await models(id)).toEqual([
      t.config.DEFAULT_MODEL,
      t.config.DEFAULT_MODEL,
      t.config.DEFAULT_MODEL,
    ]);
  });
});
