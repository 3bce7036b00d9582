import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { uniquePrefix } from '@vidqueue/testkit';
import { VIDEO_STATUSES, batchJobAttempt, batchJobId, vidqKeys } from '../src/contract/index.js';
import { createBatchStore, type BatchStore } from '../src/store/index.js';

let redis: Redis;
let others: Redis[];
let prefix: string;
let store: BatchStore;

const TOTAL = 40;
const request = (row: number) => ({ input: { model: 'm', prompt: `prompt ${row}` }, customId: `c${row}` });

async function makeBatch(id: string, total = TOTAL): Promise<void> {
  expect(await store.create({ id, total, skipped: 0, format: 'csv', columns: [] })).toBe(true);
  await store.addRows(
    id,
    Array.from({ length: total }, (_, i) => ({ row: i + 1, request: request(i + 1) })),
  );
}

async function counts(id: string) {
  const view = await store.get(id);
  if (!view) throw new Error('batch missing');
  return view;
}

function sum(c: Record<string, number>): number {
  return VIDEO_STATUSES.reduce((a, s) => a + (c[s] ?? 0), 0);
}

beforeEach(() => {
  redis = new Redis(inject('redisUrl'));
  others = Array.from({ length: 4 }, () => new Redis(inject('redisUrl')));
  prefix = uniquePrefix('batch');
  store = createBatchStore(redis, prefix, 3600);
});

afterEach(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await Promise.all([redis, ...others].map((r) => r.quit()));
});

describe('batch store', () => {
  it('creates once, with every row queued and a TTL on every key', async () => {
    await makeBatch('b1');
    expect(await store.create({ id: 'b1', total: 5, skipped: 0, format: 'csv', columns: [] })).toBe(false);
    const view = await counts('b1');
    expect(view.meta).toMatchObject({ id: 'b1', total: TOTAL, format: 'csv' });
    expect(view.counts).toEqual({
      queued: TOTAL,
      paused: 0,
      generating: 0,
      completed: 0,
      failed: 0,
      cancelled: 0,
    });
    const k = vidqKeys(prefix).batch('b1');
    await store.setRowStatus('b1', 1, 'generating');
    for (const key of [k.meta, k.counts, k.status, k.input, k.attempt]) {
      if ((await redis.exists(key)) === 0) continue; // attempt is written only by retries
      const ttl = await redis.ttl(key);
      expect(ttl).toBeGreaterThan(3500);
    }
    expect(await store.get('nope')).toBeUndefined();
  });

  it('keeps counts exact under concurrent, replayed and out-of-order transitions from many connections', async () => {
    await makeBatch('b2');
    const stores = others.map((r) => createBatchStore(r, prefix, 3600));
    const ops: Promise<unknown>[] = [];
    for (let row = 1; row <= TOTAL; row++) {
      const s = stores[row % stores.length] as BatchStore;
      const t = stores[(row + 1) % stores.length] as BatchStore;
      const final = row % 5 === 0 ? 'failed' : row % 7 === 0 ? 'cancelled' : 'completed';
      // Each row: submitted twice (a replay), finished from two connections at once.
      ops.push(
        (async () => {
          await Promise.all([
            s.setRowStatus('b2', row, 'generating'),
            t.setRowStatus('b2', row, 'generating'),
          ]);
          await Promise.all([
            s.setRowStatus(
              'b2',
              row,
              final,
              final === 'completed' ? { video_url: `u${row}`, cost_usd: 0.25 } : {},
            ),
            t.setRowStatus(
              'b2',
              row,
              final,
              final === 'completed' ? { video_url: `u${row}`, cost_usd: 0.25 } : {},
            ),
          ]);
          // A late `submitted` replay (a stalled job re-run) must not reopen a completed row.
          if (final === 'completed') await s.setRowStatus('b2', row, 'generating');
        })(),
      );
    }
    // Poll while it runs: the sum is always the total.
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const c = await counts('b2');
        expect(sum(c.counts)).toBe(TOTAL);
      }
    })();
    await Promise.all(ops);
    polling = false;
    await poller;

    const view = await counts('b2');
    const failed = Array.from({ length: TOTAL }, (_, i) => i + 1).filter((r) => r % 5 === 0).length;
    const cancelled = Array.from({ length: TOTAL }, (_, i) => i + 1).filter(
      (r) => r % 5 !== 0 && r % 7 === 0,
    ).length;
    expect(view.counts).toEqual({
      queued: 0,
      paused: 0,
      generating: 0,
      completed: TOTAL - failed - cancelled,
      failed,
      cancelled,
    });
    expect(view.costUsd).toBeCloseTo((TOTAL - failed - cancelled) * 0.25, 6);
    expect(view.meta.finishedAt).toBeTypeOf('number');
  });

  it('sets finished_at when nothing is queued or generating, and clears it on retry', async () => {
    await makeBatch('b3', 3);
    await store.setRowStatus('b3', 1, 'completed', { video_url: 'u' });
    await store.setRowStatus('b3', 2, 'failed', { error: { code: 'submission_unknown', message: 'm' } });
    expect((await counts('b3')).meta.finishedAt).toBeUndefined();
    await store.setRowStatus('b3', 3, 'failed', { error: { code: 'generation_failed', message: 'm' } });
    expect((await counts('b3')).meta.finishedAt).toBeTypeOf('number');

    const failed = await store.retryableRows('b3');
    expect(failed).toEqual([
      { row: 2, attempt: 0, errorCode: 'submission_unknown', carry: { possible_duplicate: true } },
      { row: 3, attempt: 0, errorCode: 'generation_failed', carry: {} },
    ]);
    // Two concurrent retries move each row once.
    const [a, b] = await Promise.all([store.beginRetry('b3', [2, 3]), store.beginRetry('b3', [2, 3])]);
    expect([...a, ...b]).toEqual([
      { row: 2, attempt: 1 },
      { row: 3, attempt: 1 },
    ]);
    const view = await counts('b3');
    expect(view.counts).toMatchObject({ queued: 2, failed: 0, completed: 1 });
    expect(view.meta.finishedAt).toBeUndefined();

    // A late hook of the first attempt changes nothing; the new attempt's does.
    expect((await store.setRowStatus('b3', 2, 'completed', {}, { attempt: 0 })).changed).toBe(false);
    expect((await store.setRowStatus('b3', 2, 'completed', { video_url: 'v' }, { attempt: 1 })).changed).toBe(
      true,
    );
    const rows = await store.rows('b3', 1, 3);
    expect(rows.map((r) => [r.row, r.status, r.attempt])).toEqual([
      [1, 'completed', 0],
      [2, 'completed', 1],
      [3, 'queued', 1],
    ]);
    expect(rows[1]?.outcome.video_url).toBe('v');
  });

  it('cancels queued rows only, atomically with workers moving rows', async () => {
    await makeBatch('b4');
    const worker = createBatchStore(others[0] as Redis, prefix, 3600);
    const rows = Array.from({ length: TOTAL }, (_, i) => i + 1);
    const [cancelled] = await Promise.all([
      store.cancelQueued('b4', rows),
      Promise.all(rows.filter((r) => r % 2 === 0).map((r) => worker.setRowStatus('b4', r, 'generating'))),
    ]);
    const view = await counts('b4');
    expect(view.meta.cancelledAt).toBeTypeOf('number');
    // Rows a worker took first stay generating (the worker stops them through the cancel key);
    // rows it took after the cancel move cancelled → generating (the job really runs). Either
    // way every row is counted once and the odd rows, never taken, are cancelled.
    expect(cancelled).toBeGreaterThanOrEqual(TOTAL / 2);
    expect(view.counts).toEqual({
      queued: 0,
      paused: 0,
      generating: TOTAL / 2,
      completed: 0,
      failed: 0,
      cancelled: TOTAL / 2,
    });
  });

  it('pauses only rows not yet submitted; a paused row keeps the batch open and can be cancelled', async () => {
    await makeBatch('b6', 3);
    const pause = { error: { code: 'budget_exceeded', message: 'over the cap' } };
    expect((await store.setRowStatus('b6', 1, 'paused', pause)).changed).toBe(true);
    await store.setRowStatus('b6', 2, 'generating');
    // A row already submitted (or finished) is never paused.
    expect((await store.setRowStatus('b6', 2, 'paused', pause)).changed).toBe(false);
    await store.setRowStatus('b6', 2, 'completed', { video_url: 'v' });
    await store.setRowStatus('b6', 3, 'completed', { video_url: 'v' });
    let view = await counts('b6');
    expect(view.counts).toMatchObject({ queued: 0, paused: 1, completed: 2 });
    expect(view.meta.finishedAt).toBeUndefined();
    expect((await store.rows('b6', 1, 1))[0]?.outcome).toEqual(pause);
    // Cancelling moves the paused row at once; the batch is then finished.
    expect(await store.cancelQueued('b6', [1, 2, 3])).toBe(1);
    view = await counts('b6');
    expect(view.counts).toMatchObject({ paused: 0, completed: 2, cancelled: 1 });
    expect(sum(view.counts)).toBe(3);
    expect(view.meta.finishedAt).toBeTypeOf('number');
    // And a late pause report of the cancelled row changes nothing.
    expect((await store.setRowStatus('b6', 1, 'paused', pause)).changed).toBe(false);
  });

  it('keeps the cap, the estimate and unpriced rows; setMaxCost changes or removes the cap', async () => {
    const meta = { total: 2, skipped: 0, format: 'csv' as const, columns: [] };
    await store.create({ id: 'b7', ...meta, maxCostUsd: 0.3, estimatedCostUsd: 0.2, unpricedRows: 1 });
    await store.create({ id: 'b8', ...meta, estimatedCostUsd: null, unpricedRows: 2 });
    expect((await counts('b7')).meta).toMatchObject({
      maxCostUsd: 0.3,
      estimatedCostUsd: 0.2,
      unpricedRows: 1,
    });
    expect((await counts('b8')).meta).toMatchObject({ estimatedCostUsd: null, unpricedRows: 2 });
    expect((await counts('b8')).meta.maxCostUsd).toBeUndefined();
    expect(await store.setMaxCost('b7', 1.25)).toBe(true);
    expect((await counts('b7')).meta.maxCostUsd).toBe(1.25);
    expect(await store.setMaxCost('b7', null)).toBe(true);
    expect((await counts('b7')).meta.maxCostUsd).toBeUndefined();
    expect(await store.setMaxCost('nope', 1)).toBe(false);
  });

  it('ignores rows that do not exist and batches that expired', async () => {
    await makeBatch('b5', 2);
    expect(await store.setRowStatus('b5', 3, 'completed')).toEqual({ changed: false, previous: 'missing' });
    expect(await store.setRowStatus('gone', 1, 'completed')).toEqual({ changed: false, previous: 'missing' });
    expect(sum((await counts('b5')).counts)).toBe(2);
  });

  it('names jobs <batch>-<row>, then -r<n> after retries', () => {
    expect(batchJobId('bat_x', 7)).toBe('bat_x-7');
    expect(batchJobId('bat_x', 7, 2)).toBe('bat_x-7-r2');
    expect(batchJobAttempt('bat_x-7')).toBe(0);
    expect(batchJobAttempt('bat_x-r1-7')).toBe(0);
    expect(batchJobAttempt('bat_x-7-r2')).toBe(2);
  });
});

describe('batch record lifetime (no TTL while rows run)', () => {
  const ttls = async (id: string) => {
    const k = vidqKeys(prefix).batch(id);
    const keys = [k.meta, k.counts, k.status, k.result, k.attempt, k.input];
    const out: number[] = [];
    for (const key of keys) if ((await redis.exists(key)) === 1) out.push(await redis.pttl(key));
    return out;
  };

  it('never expires while a row of a fully enqueued batch is open, then expires BATCH_TTL_SECONDS after it finished', async () => {
    // A 1-second TTL: the old record expired under its running rows one second after its last change.
    store = createBatchStore(redis, prefix, 1);
    await makeBatch('life', 3);
    await store.markEnqueued('life', []);
    expect(await ttls('life')).toEqual([-1, -1, -1]); // meta, counts, input
    await store.setRowStatus('life', 1, 'generating', { generation_id: 'g1' });
    await store.setRowStatus('life', 2, 'completed', { video_url: 'u2' });
    // A row still waiting, a row generating: nothing may expire, however long they take.
    expect((await store.get('life'))?.counts).toMatchObject({ queued: 1, generating: 1, completed: 1 });
    expect((await ttls('life')).every((t) => t === -1)).toBe(true);
    // A cancel with a row still generating keeps it too; the worker's last report finishes it.
    await store.cancelQueued('life', [3]);
    expect((await ttls('life')).every((t) => t === -1)).toBe(true);
    await store.setRowStatus('life', 1, 'completed', { video_url: 'u1' });
    const after = await ttls('life');
    expect(after).toHaveLength(5);
    expect(after.every((t) => t > 0 && t <= 1_000)).toBe(true);
    await expect.poll(() => store.get('life'), { timeout: 5_000 }).toBeUndefined();
  });

  it('a row paused by a spending cap keeps the record open (no TTL), a cap change too; a cancel finishes it', async () => {
    store = createBatchStore(redis, prefix, 60);
    await store.create({ id: 'capped', total: 2, skipped: 0, format: 'csv', columns: [], maxCostUsd: 0.1 });
    await store.addRows(
      'capped',
      [1, 2].map((row) => ({ row, request: request(row) })),
    );
    await store.markEnqueued('capped', []);
    await store.setRowStatus('capped', 1, 'completed', { video_url: 'u1' });
    await store.setRowStatus('capped', 2, 'paused', { error: { code: 'budget_exceeded', message: 'cap' } });
    const paused = await counts('capped');
    expect(paused.counts).toMatchObject({ queued: 0, paused: 1, completed: 1 });
    expect(paused.meta.finishedAt).toBeUndefined();
    expect((await ttls('capped')).every((t) => t === -1)).toBe(true);
    expect(await store.setMaxCost('capped', 0.2)).toBe(true);
    expect((await ttls('capped')).every((t) => t === -1)).toBe(true);
    await store.cancelQueued('capped', [2]);
    expect((await store.get('capped'))?.meta.finishedAt).toBeTypeOf('number');
    expect((await ttls('capped')).every((t) => t > 0 && t <= 60_000)).toBe(true);
  });

  it('a retry makes a finished batch open again (no TTL); a batch never fully enqueued keeps its TTL', async () => {
    store = createBatchStore(redis, prefix, 60);
    await makeBatch('again', 1);
    await store.markEnqueued('again', []);
    await store.setRowStatus('again', 1, 'failed', { error: { code: 'deadline_exceeded', message: 'x' } });
    expect((await ttls('again')).every((t) => t > 0)).toBe(true);
    await store.beginRetry('again', [1]);
    expect((await ttls('again')).every((t) => t === -1)).toBe(true);

    // Enqueueing broke midway (no enqueued_at): the record still expires from its last change.
    await makeBatch('partial', 2);
    await store.setRowStatus('partial', 1, 'generating');
    expect((await ttls('partial')).every((t) => t > 0)).toBe(true);
  });
});
