import { afterEach, describe, expect, it } from 'vitest';
import { fetchPricedCatalogue, parsePricing } from '@vidqueue/aimlapi';
import {
  batchJobId,
  nextUtcMidnight,
  toVideoView,
  utcDay,
  vidqKeys,
  type GenerationJob,
  type GenerationJobData,
} from '@vidqueue/core/contract';
import { loadConfig, type RedisConnection } from '@vidqueue/core/runtime';
import { createBatchStore, createPriceBook, createSpendLedger, type PriceBook } from '@vidqueue/core/store';
import { createSpendCaps } from '../src/index.js';
import { startHarness, type Harness } from './harness.js';

/**
 * Spending caps in one worker against the simulator (Kandinsky distill: 0.02 USD/s, a 5 s clip 0.10):
 * the video's own cap, the daily limit and its UTC day, the batch's committed amount as reservations
 * become actual costs or are given back. Several worker processes under one batch cap: apps/api/test/caps-workers.test.ts.
 */
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const data = (id: string) => h!.job(id).then((j) => j.data);

describe('spending caps in the worker', () => {
  it('a video whose estimate is over its own max_cost_usd waits paused, is never created, and a cancel ends it', async () => {
    h = await startHarness();
    // Queued by another producer (or before a price rise): 0.10 estimated, 0.05 allowed.
    const job = await h.add({ maxCostUsd: 0.05 });
    await expect
      .poll(async () => (await data(job.id!)).budgetPause?.reason, { timeout: 5_000 })
      .toBe('budget_exceeded');
    const paused = await h.job(job.id!);
    expect(paused.data.budgetPause).toMatchObject({
      cap: 'video',
      message: "estimated at 0.1 USD by today's prices, over the video's max_cost_usd of 0.05 USD",
    });
    const view = toVideoView(paused, 'delayed', false);
    expect(view).toMatchObject({
      status: 'paused',
      max_cost_usd: 0.05,
      pause: { reason: 'budget_exceeded', cap: 'video' },
    });
    const { logs } = await h.queue.getJobLogs(job.id!);
    expect(logs).toEqual([
      "paused: budget_exceeded (video cap): estimated at 0.1 USD by today's prices, over the video's max_cost_usd of 0.05 USD",
    ]);
    expect(h.sim.stats().create_requests).toBe(0);

    await h.redis.set(vidqKeys(h.config.QUEUE_PREFIX).cancel(job.id!), '1');
    await paused.promote();
    const done = await h.finished(job);
    expect(done.state === 'failed' && done.failedReason).toMatch(/^cancelled:/);
    expect(h.sim.stats().create_requests).toBe(0);
  });

  it('SPEND_LIMIT_USD_PER_DAY: what fits today is created, the rest waits for the next UTC day', async () => {
    h = await startHarness({ env: { SPEND_LIMIT_USD_PER_DAY: '0.25' } });
    const jobs = await Promise.all(Array.from({ length: 4 }, () => h!.add()));
    await expect
      .poll(
        async () => (await Promise.all(jobs.map((j) => h!.job(j.id!).then((x) => x.getState())))).sort(),
        {
          timeout: 10_000,
        },
      )
      .toEqual(['completed', 'completed', 'delayed', 'delayed']);
    expect(h.sim.stats()).toMatchObject({ creates: 2, duplicate_creates: 0 });
    const today = utcDay(Date.now());
    const waiting = (await Promise.all(jobs.map((j) => data(j.id!)))).filter((d) => d.budgetPause);
    expect(waiting).toHaveLength(2);
    for (const d of waiting) {
      expect(d.budgetPause).toMatchObject({ reason: 'budget_exceeded', cap: 'daily' });
      expect(d.budgetPause!.message).toBe(
        `SPEND_LIMIT_USD_PER_DAY of 0.25 USD: 0.2 USD committed on ${today} (UTC), this row needs 0.1 USD; waits for the next UTC day`,
      );
      const midnight = nextUtcMidnight(Date.now());
      expect(d.budgetPause!.until).toBeGreaterThanOrEqual(midnight);
      expect(d.budgetPause!.until).toBeLessThanOrEqual(midnight + 60_000);
    }
    // The two created are settled at what the provider reported (0.10 each), nothing else is held.
    const ledger = createSpendLedger(h.redis, h.config.QUEUE_PREFIX, 3600);
    expect(await ledger.day(today)).toEqual({ reservedUsd: 0, spentUsd: 0.2 });
  });

  it("a batch row's reservation becomes the actual cost; a failed generation gives it back", async () => {
    // The catalogue says 0.03 USD/s (0.15 a clip); the provider charges 0.10.
    h = await startHarness({
      worker: false,
      prices: (config, sim) =>
        createPriceBook({
          redis: h!.redis,
          prefix: config.QUEUE_PREFIX,
          refreshMs: 60_000,
          read: async (etag) => {
            const answer = await fetchPricedCatalogue({ baseUrl: sim.url, ...(etag && { etag }) });
            if (answer.notModified) return answer;
            const entries = answer.entries.map((e) =>
              e.id === 'sber-ai/kandinsky5-distill-t2v'
                ? {
                    ...e,
                    pricing: parsePricing({
                      kind: 'fixed',
                      units: [{ name: 'second', price: 0.03, per: 1 }],
                    }),
                  }
                : e,
            );
            return { ...answer, entries };
          },
        }),
    });
    const store = createBatchStore(h.redis, h.config.QUEUE_PREFIX, 3600);
    await store.create({ id: 'bat_spend', total: 3, skipped: 0, format: 'csv', columns: [], maxCostUsd: 1 });
    const rows = [1, 2, 3].map((row) => ({
      row,
      request: { input: { model: 'sber-ai/kandinsky5-distill-t2v', prompt: `p${row}` } },
    }));
    await store.addRows('bat_spend', rows);
    h.sim.configure({ generationMs: 1_500 });
    await h.startWorker();
    const add = (row: number) =>
      h!.add(
        { batchId: 'bat_spend', row },
        {
          jobId: batchJobId('bat_spend', row),
        },
      );
    const first = await add(1);
    // The create answer reports the charge: it replaces the 0.15 reserved before the call.
    await expect.poll(async () => (await store.get('bat_spend'))!.committedUsd, { timeout: 5_000 }).toBe(0.1);
    expect((await h.finished(first)).state).toBe('completed');
    expect((await store.get('bat_spend'))!.committedUsd).toBe(0.1);

    // Now the charge comes only with a completed generation, and this one fails: its 0.15 is held
    // while it generates, then given back (failed generations are never billed).
    h.sim.configure({ createFaults: { fail: 1 }, costOn: 'completed', generationMs: 300 });
    const second = await add(2);
    await expect
      .poll(async () => (await store.get('bat_spend'))!.committedUsd, { timeout: 5_000 })
      .toBe(0.25);
    expect((await h.finished(second)).state).toBe('failed');
    await expect.poll(async () => (await store.get('bat_spend'))!.committedUsd).toBe(0.1);
    expect((await store.get('bat_spend'))!.counts).toMatchObject({ completed: 1, failed: 1, paused: 0 });

    // A generation the provider says it never had (404 past the grace): never billed, its 0.15 given back.
    h.sim.configure({ createFaults: { fail: 0 }, fresh404Ms: 600_000 });
    const third = await add(3);
    const lost = await h.finished(third);
    expect(lost.state === 'failed' && lost.failedReason).toMatch(/^generation_not_found/);
    await expect.poll(async () => (await store.get('bat_spend'))!.committedUsd).toBe(0.1);
  });
});

describe('the daily limit and its UTC day', () => {
  it('resets at UTC midnight: a row refused at 23:59:30 goes at 00:00:10', async () => {
    h = await startHarness({ worker: false });
    const day = Date.UTC(2026, 10, 24);
    let now = day + 24 * 3600_000 - 30_000; // 2026-11-24T23:59:30Z
    const prices = createPriceBook({
      redis: h.redis,
      prefix: h.config.QUEUE_PREFIX,
      refreshMs: 3_600_000,
      read: (etag) => fetchPricedCatalogue({ baseUrl: h!.sim.url, ...(etag && { etag }) }),
    });
    const caps = createSpendCaps({
      config: { ...h.config, SPEND_LIMIT_USD_PER_DAY: 0.1 },
      redis: h.redis,
      prices,
      now: () => now,
      random: () => 0.5,
    });
    const input = { model: 'sber-ai/kandinsky5-distill-t2v', prompt: 'a fox' };
    const job = { input, step: 'pending', polls: 0, retries: 0 } as GenerationJobData;
    expect(await caps.beforeCreate('v1', job)).toEqual({ go: true });
    const refused = await caps.beforeCreate('v2', job);
    expect(refused).toMatchObject({
      go: false,
      pause: { reason: 'budget_exceeded', cap: 'daily', until: Date.UTC(2026, 10, 25) + 30_000 },
    });
    now = Date.UTC(2026, 10, 25) + 10_000;
    expect(await caps.beforeCreate('v2', job)).toEqual({ go: true });
    const ledger = caps.ledger;
    expect(await ledger.day('2026-11-24')).toEqual({ reservedUsd: 0.1, spentUsd: 0 });
    expect(await ledger.day('2026-11-25')).toEqual({ reservedUsd: 0.1, spentUsd: 0 });
  });
});

describe('settling reservations', () => {
  /** A connection that fails any use: the hooks of a job no cap applies to must not touch Redis. */
  const untouchable = new Proxy(
    {},
    {
      get: (_target, name) => {
        throw new Error(`Redis used: ${String(name)}`);
      },
    },
  ) as RedisConnection;
  const capsWith = (env: Record<string, string> = {}) =>
    createSpendCaps({
      config: loadConfig({ AIMLAPI_KEY: 'k', ...env }),
      redis: untouchable,
      prices: {} as PriceBook,
    });
  const input = { model: 'sber-ai/kandinsky5-distill-t2v', prompt: 'a fox' };
  const jobOf = (extra: Partial<GenerationJobData>) =>
    ({ id: 'vid_1', data: { input, step: 'checking', polls: 1, retries: 0, ...extra } }) as GenerationJob;
  const result = {
    videoUrl: 'u',
    generationId: 'g',
    model: input.model,
    polls: 1,
    submittedAt: 1,
    completedAt: 2,
    costUsd: 0.1,
  };

  it('a job no cap applies to (no daily limit, no batch, no own cap) never reserved: nothing is read', async () => {
    const caps = capsWith();
    const job = jobOf({});
    await caps.hooks.submitted?.(job, { generationId: 'g', submittedAt: 1, costUsd: 0.1 });
    await caps.hooks.checked?.(job, {
      status: 'completed',
      phase: 'completed',
      polls: 1,
      at: 2,
      costUsd: 0.1,
    });
    await caps.hooks.completed?.(job, result);
    await caps.hooks.failed?.(jobOf({ step: 'pending' }), { code: 'generation_failed', message: 'x' });
  });

  it('a batch row, a video with its own cap, or any job under a daily limit is settled in the ledger', async () => {
    await expect(capsWith().hooks.completed?.(jobOf({ batchId: 'bat_1' }), result)).rejects.toThrow(
      /Redis used/,
    );
    await expect(capsWith().hooks.completed?.(jobOf({ maxCostUsd: 1 }), result)).rejects.toThrow(
      /Redis used/,
    );
    const daily = capsWith({ SPEND_LIMIT_USD_PER_DAY: '5' });
    await expect(daily.hooks.completed?.(jobOf({}), result)).rejects.toThrow(/Redis used/);
  });
});
