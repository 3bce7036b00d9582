import { afterEach, describe, expect, it } from 'vitest';
import { createAimlApiClient } from '@vidqueue/aimlapi';
import { vidqKeys } from '@vidqueue/core/contract';
import { createBudgets, startWorker, type GenerationJob, type RunningWorker } from '../src/index.js';
import { PROVIDER_KEY, startHarness, type Harness } from './harness.js';

describe('provider call budgets shared by every worker process', () => {
  let h: Harness | undefined;
  let second: RunningWorker | undefined;
  afterEach(async () => {
    await second?.close();
    await h?.close();
    h = second = undefined;
  });

  /** A second worker on the same queue and Redis, with its own connection (as another process would). */
  async function startSecondWorker(harness: Harness): Promise<RunningWorker> {
    const client = createAimlApiClient({ apiKey: PROVIDER_KEY, baseUrl: harness.sim.url });
    return startWorker({ config: harness.config, logger: harness.logger, client });
  }

  const budgetLines = (harness: Harness, reason: string) =>
    harness.sink.lines.filter((l) => String(l.msg).startsWith('over the') && l.reason === reason);

  it('CREATE_RATE_PER_MIN: two workers together send only that many creates; the rest wait in delayed', async () => {
    h = await startHarness({ env: { CREATE_RATE_PER_MIN: '2' } });
    second = await startSecondWorker(h);
    const jobs = await Promise.all([1, 2, 3, 4, 5].map(() => h!.add()));

    await expect.poll(() => budgetLines(h!, 'rate').length, { interval: 20 }).toBeGreaterThanOrEqual(3);
    await expect.poll(() => h!.queue.getCompletedCount(), { interval: 20 }).toBe(2);
    expect(h.sim.stats().create_requests).toBe(2);
    // Delayed to the next window (about a minute), not slept: no worker holds them.
    expect(await h.queue.getDelayedCount()).toBe(3);
    expect(await h.queue.getActiveCount()).toBe(0);
    for (const line of budgetLines(h, 'rate')) expect(line.waitMs).toBeGreaterThan(30_000);
    const waiting = await Promise.all(jobs.map(async (j) => (await h!.job(j.id!)).data.step));
    expect(waiting.filter((s) => s === 'pending')).toHaveLength(3);

    // New windows (two creates each): the others go through, each created once.
    const rateKey = `${vidqKeys(h.config.QUEUE_PREFIX).rateLimit}:create`;
    await expect
      .poll(
        async () => {
          if ((await h!.queue.getActiveCount()) === 0) {
            await h!.redis.del(rateKey);
            await h!.queue.promoteJobs();
          }
          return h!.queue.getCompletedCount();
        },
        { interval: 200, timeout: 10_000 },
      )
      .toBe(5);
    const outcomes = await Promise.all(jobs.map((j) => h!.finished(j)));
    expect(outcomes.map((o) => o.state)).toEqual(Array(5).fill('completed'));
    expect(h.sim.stats()).toMatchObject({ creates: 5, duplicate_creates: 0 });
  });

  it('STATUS_RATE_PER_MIN: status calls beyond the budget are delayed, creates are not', async () => {
    h = await startHarness({ sim: { generationMs: 2_000 }, env: { STATUS_RATE_PER_MIN: '2' } });
    const jobs = await Promise.all([1, 2, 3].map(() => h!.add()));
    await expect.poll(() => budgetLines(h!, 'rate').length, { interval: 20 }).toBeGreaterThanOrEqual(1);
    // The refusal can be logged while the two admitted checks are still on the wire.
    await expect.poll(() => h!.sim.stats().status_checks, { interval: 20 }).toBe(2);
    await expect.poll(() => h!.queue.getDelayedCount(), { interval: 20 }).toBe(3);
    // Every job is back in delayed, so nothing is on the wire: still only the budget's two checks.
    expect(h.sim.stats()).toMatchObject({ create_requests: 3, status_checks: 2 });
    const data = await Promise.all(jobs.map(async (j) => (await h!.job(j.id!)).data));
    expect(data.map((d) => d.step)).toEqual(['checking', 'checking', 'checking']);
    expect(await h.redis.exists(`${vidqKeys(h.config.QUEUE_PREFIX).rateLimit}:create`)).toBe(0);
  });

  it('MAX_IN_FLIGHT caps generations at the provider across workers; every job still completes', async () => {
    h = await startHarness({ sim: { generationMs: 600 }, env: { MAX_IN_FLIGHT: '2' } });
    second = await startSecondWorker(h);
    let most = 0;
    const sample = setInterval(() => (most = Math.max(most, h!.sim.stats().in_flight)), 10);
    try {
      const jobs = await Promise.all([1, 2, 3, 4, 5, 6].map(() => h!.add()));
      const outcomes = await Promise.all(jobs.map((j) => h!.finished(j)));
      expect(outcomes.map((o) => o.state)).toEqual(Array(6).fill('completed'));
    } finally {
      clearInterval(sample);
    }
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(2);
    expect(budgetLines(h, 'in_flight').length).toBeGreaterThan(0);
    expect(h.sim.stats()).toMatchObject({ creates: 6, duplicate_creates: 0 });
    // Every slot was given back when its job finished.
    expect(await h.redis.zcard(vidqKeys(h.config.QUEUE_PREFIX).inFlight)).toBe(0);
  });

  it('a 429 on a create makes every worker wait before creating (Retry-After), then all complete', async () => {
    h = await startHarness({ sim: { retryAfterSeconds: 2, createFaults: { rate_limit: 1 } } });
    second = await startSecondWorker(h);
    const first = await h.add();
    await expect.poll(() => h!.sim.stats().faults.rate_limit, { interval: 10 }).toBe(1);
    const key = vidqKeys(h.config.QUEUE_PREFIX).backoff('create');
    await expect.poll(() => h!.redis.pttl(key), { interval: 10 }).toBeGreaterThan(1_000);
    expect(await h.redis.get(key)).toBe('429 on create');
    h.sim.configure({ createFaults: { rate_limit: 0 } });

    const others = await Promise.all([1, 2, 3].map(() => h!.add()));
    await expect.poll(() => budgetLines(h!, 'backoff').length, { interval: 10 }).toBeGreaterThanOrEqual(3);
    // While the back-off lasts nothing more reaches the provider.
    expect(h.sim.stats().create_requests).toBe(1);
    const outcomes = await Promise.all([first, ...others].map((j) => h!.finished(j)));
    expect(outcomes.map((o) => o.state)).toEqual(Array(4).fill('completed'));
    expect(h.sim.stats()).toMatchObject({ create_requests: 5, creates: 4, duplicate_creates: 0 });
  });

  it('a 429 on a status check slows status checks only', async () => {
    h = await startHarness({
      sim: { generationMs: 300, retryAfterSeconds: 1, statusFaults: { rate_limit: 1 } },
    });
    const job: GenerationJob = await h.add();
    const keys = vidqKeys(h.config.QUEUE_PREFIX);
    await expect.poll(() => h!.redis.get(keys.backoff('status')), { interval: 10 }).toBe('429 on status');
    expect(await h.redis.exists(keys.backoff('create'))).toBe(0);
    h.sim.configure({ statusFaults: { rate_limit: 0 } });
    expect((await h.finished(job)).state).toBe('completed');
    expect(h.sim.stats().creates).toBe(1);
  });
});

describe('createBudgets: the in-flight set heals itself', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('entries expire after the deadline; submission_unknown keeps its slot, other endings free it', async () => {
    h = await startHarness({ worker: false, env: { MAX_IN_FLIGHT: '2', GENERATION_DEADLINE_MS: '10000' } });
    let clock = 1_000_000;
    const budgets = createBudgets({ config: h.config, redis: h.redis, now: () => clock, random: () => 0 });
    expect(await budgets.beforeCreate('a')).toBeNull();
    expect(await budgets.beforeCreate('b')).toBeNull();
    // Retrying its own create does not take a second slot.
    expect(await budgets.beforeCreate('a')).toBeNull();
    expect(await budgets.beforeCreate('c')).toEqual({ reason: 'in_flight', waitMs: 100 });
    expect(await budgets.inFlight()).toBe(2);

    const job = (id: string) => ({ id }) as GenerationJob;
    await budgets.hooks.failed?.(job('a'), { code: 'submission_unknown', message: 'x' });
    expect(await budgets.inFlight()).toBe(2);
    await budgets.hooks.completed?.(job('b'), {} as never);
    expect(await budgets.beforeCreate('c')).toBeNull();
    expect(await budgets.beforeCreate('d')).toMatchObject({ reason: 'in_flight' });

    // Nobody released 'a' or 'c' (a crash, a removed job): they expire after timeout + deadline.
    clock += h.config.AIMLAPI_TIMEOUT_MS + h.config.GENERATION_DEADLINE_MS + 60_001;
    expect(await budgets.beforeCreate('d')).toBeNull();
    expect(await budgets.inFlight()).toBe(1);
  });
});
