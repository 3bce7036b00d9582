import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { uniquePrefix } from '@vidqueue/testkit';
import { createBatchStore, createSpendLedger, type SpendLedger } from '../src/store/index.js';

let redis: Redis;
let others: Redis[];
let prefix: string;
let ledger: SpendLedger;
const DAY = '2026-11-24';

beforeEach(() => {
  redis = new Redis(inject('redisUrl'));
  others = Array.from({ length: 4 }, () => new Redis(inject('redisUrl')));
  prefix = uniquePrefix('spend');
  ledger = createSpendLedger(redis, prefix, 3600);
});

afterEach(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await Promise.all([redis, ...others].map((r) => r.quit()));
});

async function batchWithCap(id: string, maxCostUsd?: number) {
  const store = createBatchStore(redis, prefix, 3600);
  await store.create({
    id,
    total: 40,
    skipped: 0,
    format: 'csv',
    columns: [],
    ...(maxCostUsd && { maxCostUsd }),
  });
  return store;
}

describe('spend ledger', () => {
  it('40 jobs on 5 connections reserve at once against a 0.30 USD batch cap: exactly 3 of 0.10 pass', async () => {
    const store = await batchWithCap('b1', 0.3);
    const ledgers = [ledger, ...others.map((r) => createSpendLedger(r, prefix, 3600))];
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        ledgers[i % ledgers.length]!.reserve({ jobId: `j${i}`, amountUsd: 0.1, batchId: 'b1', day: DAY }),
      ),
    );
    expect(results.filter((r) => r.kind === 'reserved')).toHaveLength(3);
    const refused = results.filter((r) => r.kind === 'over');
    expect(refused).toHaveLength(37);
    expect(refused[0]).toEqual({ kind: 'over', cap: 'batch', limitUsd: 0.3, committedUsd: 0.3 });
    expect((await store.get('b1'))!.committedUsd).toBe(0.3);
  });

  it('a re-run holds its reservation; the actual cost replaces it; a release gives back what is held, once', async () => {
    const store = await batchWithCap('b2', 0.25);
    expect(await ledger.reserve({ jobId: 'a', amountUsd: 0.1, batchId: 'b2', day: DAY })).toEqual({
      kind: 'reserved',
    });
    expect(await ledger.reserve({ jobId: 'a', amountUsd: 0.1, batchId: 'b2', day: DAY })).toEqual({
      kind: 'held',
    });
    expect(await ledger.reserve({ jobId: 'b', amountUsd: 0.1, batchId: 'b2', day: DAY })).toEqual({
      kind: 'reserved',
    });
    expect((await ledger.reserve({ jobId: 'c', amountUsd: 0.1, batchId: 'b2', day: DAY })).kind).toBe('over');
    // a's generation was charged 0.04: committed 0.14, so c fits now.
    expect(await ledger.settle('a', 0.04)).toBe('settled');
    expect(await ledger.settle('a', 0.04)).toBe('settled');
    expect((await store.get('b2'))!.committedUsd).toBe(0.14);
    expect(await ledger.reserve({ jobId: 'c', amountUsd: 0.1, batchId: 'b2', day: DAY })).toEqual({
      kind: 'reserved',
    });
    // The provider reports a's charge again with another figure: moved by the difference, not added.
    await ledger.settle('a', 0.05);
    expect((await store.get('b2'))!.committedUsd).toBe(0.25);
    // b's generation failed (never billed): its reservation comes back, once.
    expect(await ledger.release('b')).toBe('released');
    expect(await ledger.release('b')).toBe('released');
    expect((await store.get('b2'))!.committedUsd).toBe(0.15);
    // A settled job released gives back its actual cost; a job holding nothing releases nothing.
    await ledger.release('a');
    expect((await store.get('b2'))!.committedUsd).toBe(0.1);
    expect(await ledger.release('never')).toBe('');
  });

  it('the daily limit counts every job of the UTC day, batch or not, and a new day starts empty', async () => {
    await batchWithCap('b3');
    const daily = { dailyLimitUsd: 0.25, day: DAY };
    expect((await ledger.reserve({ jobId: 'v1', amountUsd: 0.1, ...daily })).kind).toBe('reserved');
    expect((await ledger.reserve({ jobId: 'r1', amountUsd: 0.1, batchId: 'b3', ...daily })).kind).toBe(
      'reserved',
    );
    expect(await ledger.reserve({ jobId: 'r2', amountUsd: 0.1, batchId: 'b3', ...daily })).toEqual({
      kind: 'over',
      cap: 'daily',
      limitUsd: 0.25,
      committedUsd: 0.2,
    });
    expect(await ledger.day(DAY)).toEqual({ reservedUsd: 0.2, spentUsd: 0 });
    await ledger.settle('v1', 0.08);
    expect(await ledger.day(DAY)).toEqual({ reservedUsd: 0.1, spentUsd: 0.08 });
    expect(
      (await ledger.reserve({ jobId: 'r2', amountUsd: 0.1, batchId: 'b3', ...daily, day: '2026-11-25' }))
        .kind,
    ).toBe('reserved');
    // A batch without a cap still records what its rows commit.
    expect((await createBatchStore(redis, prefix, 3600).get('b3'))!.committedUsd).toBe(0.2);
  });
});
