import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Redis } from 'ioredis';
import { vidqKeys, type GenerationInput } from '@vidqueue/core/contract';
import { createRedis } from '@vidqueue/core/runtime';
import { uniquePrefix } from '@vidqueue/testkit';
import {
  DURATION_SAMPLES,
  DURATION_SAMPLES_KEPT,
  MIN_DURATION_SAMPLES,
  createDurationStats,
  durationStatsHooks,
} from '../src/duration-stats.js';
import {
  ADAPTIVE_FIRST_FRACTION,
  ADAPTIVE_GAP_FRACTION,
  ADAPTIVE_JITTER,
  ADAPTIVE_PROBE_SHARE,
  adaptiveCheckSchedule,
  adaptiveFirstCheckDelay,
  adaptiveNextCheckDelay,
} from '../src/schedule.js';
import { decodeSample } from '../src/finish-times.js';
import { startHarness, type Harness } from './harness.js';
import { scheduleConfig } from './fixtures/placement-sim.js';

const config = scheduleConfig;
const mid = () => 0.5;
const input: GenerationInput = { model: 'sber-ai/kandinsky5-distill-t2v', prompt: 'a fox', duration: 5 };
const K5 = { model: input.model, duration: 5 };
const K10 = { model: input.model, duration: 10 };

describe('adaptive delays', () => {
  it('first check a little before the expected finish, never under the floor', () => {
    expect(adaptiveFirstCheckDelay(config, 50_000, mid)).toBe(50_000 * ADAPTIVE_FIRST_FRACTION);
    expect(adaptiveFirstCheckDelay(config, 100, mid)).toBe(config.STATUS_MIN_INTERVAL_MS);
  });

  it('then a constant gap of a share of the expected time, kept between the floor and STATUS_INTERVAL_MS', () => {
    const gaps = [1, 2, 3, 4, 5].map((polls) => adaptiveNextCheckDelay(config, 50_000, 45_000, polls, mid));
    expect(new Set(gaps)).toEqual(new Set([50_000 * ADAPTIVE_GAP_FRACTION]));
    // Short generations: never under the floor; long ones: never sparser than the fixed interval.
    expect(adaptiveNextCheckDelay(config, 1_000, 900, 1, mid)).toBe(config.STATUS_MIN_INTERVAL_MS);
    expect(adaptiveNextCheckDelay(config, 10_000_000, 9_000_000, 1, mid)).toBe(config.STATUS_INTERVAL_MS);
  });

  it('a narrow learned spread: the first check just after the time most are done, jittered later only', () => {
    const narrow = { p50Ms: 62_000, lowMs: 55_000, highMs: 60_100 };
    expect(adaptiveFirstCheckDelay(config, narrow, mid)).toBe(Math.round(60_100 * (1 + ADAPTIVE_JITTER / 2)));
    expect(adaptiveFirstCheckDelay(config, narrow, () => 0.999)).toBeLessThanOrEqual(
      60_100 * (1 + ADAPTIVE_JITTER),
    );
    // A share of them stays early (what the schedule keeps learning the low side from).
    const draws = [ADAPTIVE_PROBE_SHARE / 2, 0.5];
    expect(adaptiveFirstCheckDelay(config, narrow, () => draws.shift() ?? 0.5)).toBe(
      62_000 * ADAPTIVE_FIRST_FRACTION,
    );
  });

  it('never more than one gap after the time few are done by, so an early finisher waits no longer than a gap', () => {
    // Not a probe (0.5), then the lowest jitter (0).
    const draws = () => {
      const left = [0.5, 0];
      return () => left.shift() ?? 0;
    };
    const spread = { p50Ms: 62_000, lowMs: 49_000, highMs: 70_000 };
    expect(adaptiveFirstCheckDelay(config, spread, draws())).toBe(49_000 + 62_000 * ADAPTIVE_GAP_FRACTION);
    // The gap is capped by STATUS_INTERVAL_MS like every later one.
    const long = { p50Ms: 400_000, lowMs: 380_000, highMs: 420_000 };
    expect(adaptiveFirstCheckDelay(config, long, draws())).toBe(380_000 + config.STATUS_INTERVAL_MS);
  });

  it('a wide spread (some seen done at an early first check) or none known: the early first check', () => {
    const early = 60_000 * ADAPTIVE_FIRST_FRACTION;
    expect(adaptiveFirstCheckDelay(config, { p50Ms: 60_000, lowMs: 0, highMs: 70_000 }, mid)).toBe(early);
    expect(adaptiveFirstCheckDelay(config, { p50Ms: 60_000, highMs: 60_100 }, mid)).toBe(early);
    expect(adaptiveFirstCheckDelay(config, { p50Ms: 60_000 }, mid)).toBe(early);
  });

  it('an outlier far past the expected time goes back to the fixed interval', () => {
    expect(adaptiveNextCheckDelay(config, 50_000, 200_000, 9, mid)).toBe(config.STATUS_INTERVAL_MS);
  });

  it('is jittered so a batch does not check in lockstep', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 50; i++) seen.add(adaptiveFirstCheckDelay(config, 50_000));
    expect(seen.size).toBeGreaterThan(10);
    for (const ms of seen) {
      expect(ms).toBeGreaterThanOrEqual(50_000 * ADAPTIVE_FIRST_FRACTION * 0.95 - 1);
      expect(ms).toBeLessThanOrEqual(50_000 * ADAPTIVE_FIRST_FRACTION * 1.05 + 1);
    }
  });
});

describe('duration stats in Redis', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = createRedis(inject('redisUrl'), 'worker');
  });
  afterAll(async () => {
    await redis.quit();
  });
  const prefixes: string[] = [];
  afterEach(async () => {
    for (const prefix of prefixes.splice(0)) {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
    }
  });

  it('uses the seed until enough samples exist, then the median of a bounded list', async () => {
    const prefix = uniquePrefix('dur');
    prefixes.push(prefix);
    const stats = createDurationStats(redis, prefix, { seed: () => 45_000, cacheMs: 0 });
    expect(await stats.estimate(K5)).toEqual({ p50Ms: 45_000, samples: 0 });
    for (let i = 0; i < MIN_DURATION_SAMPLES; i++) await stats.record(K5, 10_000 + i * 1000);
    expect(await stats.estimate(K5)).toMatchObject({ p50Ms: 12_000, samples: MIN_DURATION_SAMPLES });
    for (let i = 0; i < DURATION_SAMPLES_KEPT + 50; i++) await stats.record(K5, 30_000);
    expect(await redis.llen(vidqKeys(prefix).durations(input.model, 5))).toBe(DURATION_SAMPLES_KEPT);
    expect(await stats.estimate(K5)).toEqual({ p50Ms: 30_000, samples: DURATION_SAMPLES, highMs: 30_000 });
    // Another clip length is learned separately.
    expect(await stats.estimate(K10)).toEqual({ p50Ms: 45_000, samples: 0 });
  });

  it('with flushIntervalMs holds samples in memory and writes them together, newest first', async () => {
    const prefix = uniquePrefix('dur');
    prefixes.push(prefix);
    const key = vidqKeys(prefix).durations(input.model, 5);
    const stats = createDurationStats(redis, prefix, { flushIntervalMs: 60_000, cacheMs: 0 });
    try {
      for (let i = 1; i <= DURATION_SAMPLES_KEPT + 20; i++) await stats.record(K5, i * 1000);
      await stats.record(K10, 7_000);
      expect(await redis.exists(key)).toBe(0);
      await stats.flush();
      const kept = (await redis.lrange(key, 0, -1)).map(Number);
      // Only the newest DURATION_SAMPLES_KEPT were worth writing; the newest is at the head, as with LPUSH.
      expect(kept).toHaveLength(DURATION_SAMPLES_KEPT);
      expect(kept[0]).toBe((DURATION_SAMPLES_KEPT + 20) * 1000);
      expect(kept.at(-1)).toBe(21_000);
      expect(await redis.lrange(vidqKeys(prefix).durations(input.model, 10), 0, -1)).toEqual(['7000']);
      await stats.record(K5, 500);
    } finally {
      await stats.close();
    }
    expect(await redis.lindex(key, 0)).toBe('500');
    expect(await redis.llen(key)).toBe(DURATION_SAMPLES_KEPT);
  });

  it('caches a learned estimate per key for cacheMs', async () => {
    const prefix = uniquePrefix('dur');
    prefixes.push(prefix);
    let clock = 1_000;
    const stats = createDurationStats(redis, prefix, { cacheMs: 5_000, now: () => clock });
    expect(await stats.estimate(K5)).toBeUndefined();
    // Too few samples is never cached: enough samples count at once.
    for (let i = 0; i < MIN_DURATION_SAMPLES; i++) await stats.record(K5, 20_000);
    expect(await stats.estimate(K5)).toMatchObject({ p50Ms: 20_000, samples: MIN_DURATION_SAMPLES });
    for (let i = 0; i < 2 * MIN_DURATION_SAMPLES; i++) await stats.record(K5, 40_000);
    expect(await stats.estimate(K5)).toMatchObject({ p50Ms: 20_000, samples: MIN_DURATION_SAMPLES });
    clock += 5_000;
    expect(await stats.estimate(K5)).toMatchObject({
      p50Ms: 40_000,
      samples: 3 * MIN_DURATION_SAMPLES,
    });
  });

  it('records what each generation proves (pending at one check, done at the next) and learns the spread', async () => {
    const prefix = uniquePrefix('dur');
    prefixes.push(prefix);
    const stats = createDurationStats(redis, prefix, { cacheMs: 0 });
    const hooks = durationStatsHooks(stats, () => K5);
    const job = (id: string, expectedMs?: number) =>
      ({ id, data: { input, submittedAt: 1_000, ...(expectedMs !== undefined && { expectedMs }) } }) as never;
    const check = (
      id: string,
      expectedMs: number | undefined,
      polls: number,
      at: number,
      phase: 'pending' | 'completed',
      previousCheckAt?: number,
    ) =>
      hooks.checked?.(job(id, expectedMs), {
        status: phase,
        phase,
        polls,
        at,
        lateMs: 0,
        ...(previousCheckAt !== undefined && { previousCheckAt }),
      });
    // An early first check (0.76 of 62 s) saw it pending, so did the next; the third saw it done.
    await check('a', 62_000, 1, 1_000 + 47_000, 'pending');
    await check('a', 62_000, 2, 1_000 + 57_000, 'pending', 1_000 + 47_000);
    await check('a', 62_000, 3, 1_000 + 66_900, 'completed', 1_000 + 57_000);
    // A first check placed from the spread (later) that saw it done: an upper bound, not early.
    await check('b', 62_000, 1, 1_000 + 60_300, 'completed');
    // Fixed schedule (no expected time): early; done at its second check.
    await check('c', undefined, 1, 1_000 + 30_000, 'pending');
    await check('c', undefined, 2, 1_000 + 60_500, 'completed', 1_000 + 30_000);
    // Done in the create answer: no check saw it, recorded at completion.
    await hooks.completed?.(job('d'), { polls: 0, submittedAt: 1_000, completedAt: 1_000 + 5 } as never);
    const key = vidqKeys(prefix).durations(input.model, 5);
    expect(await redis.lrange(key, 0, -1)).toEqual(['5', 'e30000:60500', '60300', 'e57000:66900']);
  });

  it('the schedule uses the fixed settings while nothing is known, the estimate once it is', async () => {
    const prefix = uniquePrefix('dur');
    prefixes.push(prefix);
    const stats = createDurationStats(redis, prefix, { cacheMs: 0 });
    const schedule = adaptiveCheckSchedule(config, stats, mid);
    expect(await schedule.firstCheckAt(input, 0)).toEqual({ at: config.STATUS_FIRST_CHECK_MS });
    expect(await schedule.nextCheckAt(input, { submittedAt: 0, polls: 1, now: 40_000 })).toBe(50_000);
    for (let i = 0; i < MIN_DURATION_SAMPLES; i++) await stats.record(K5, 60_000);
    expect(await schedule.firstCheckAt(input, 0)).toEqual({
      at: 60_000 * ADAPTIVE_FIRST_FRACTION,
      expectedMs: 60_000,
    });
    expect(await schedule.nextCheckAt(input, { submittedAt: 0, polls: 1, now: 50_000 })).toBe(
      50_000 + 60_000 * ADAPTIVE_GAP_FRACTION,
    );
    // A job keeps the expectation its first check was placed on, whatever the shared estimate does.
    expect(
      await schedule.nextCheckAt(input, { submittedAt: 0, polls: 1, now: 50_000, expectedMs: 40_000 }),
    ).toBe(50_000 + 40_000 * ADAPTIVE_GAP_FRACTION);
  });
});

describe('the worker with STATUS_SCHEDULE=adaptive', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('learns generation times, persists nextCheckAt within the deadline and completes every job', async () => {
    h = await startHarness({
      sim: { generationMs: 400 },
      env: { STATUS_SCHEDULE: 'adaptive', STATUS_MIN_INTERVAL_MS: '100' },
    });
    const harness = h;
    const first = await Promise.all(Array.from({ length: MIN_DURATION_SAMPLES }, () => harness.add()));
    const firstOutcomes = await Promise.all(first.map((j) => harness.finished(j)));
    expect(firstOutcomes.map((o) => o.state)).toEqual(Array(MIN_DURATION_SAMPLES).fill('completed'));
    // Keyed with the model's default duration filled in: a job without one is a 5 s Kandinsky clip.
    const key = vidqKeys(h.config.QUEUE_PREFIX).durations('sber-ai/kandinsky5-distill-t2v', 5);
    // The worker writes learned times once a second (METRICS_FLUSH_MS), not once per video.
    await expect.poll(() => harness.redis.llen(key), { interval: 50 }).toBe(MIN_DURATION_SAMPLES);
    const samples = (await h.redis.lrange(key, 0, -1)).map(decodeSample);
    // From the create answer (a little after the simulator's clock started) to the check that saw it
    // done, after the check that saw it pending; the fixed schedule's first checks are early.
    for (const sample of samples) {
      expect(sample?.doneMs).toBeGreaterThan(200);
      expect(sample?.pendingMs).toBeLessThan(sample?.doneMs ?? 0);
      expect(sample?.pendingMs === 0 || (sample?.pendingMs ?? 0) < 400).toBe(true);
      expect(sample?.early).toBe(true);
    }

    const jobs = await Promise.all(Array.from({ length: 5 }, () => harness.add()));
    const outcomes = await Promise.all(jobs.map((j) => harness.finished(j)));
    expect(outcomes.map((o) => o.state)).toEqual(Array(5).fill('completed'));
    for (const [i, job] of jobs.entries()) {
      const outcome = outcomes[i];
      if (outcome?.state !== 'completed') throw new Error('not completed');
      const data = (await harness.job(job.id ?? '')).data;
      expect(data.nextCheckAt).toBeTypeOf('number');
      expect(data.nextCheckAt).toBeLessThanOrEqual(data.deadline ?? 0);
      expect(data.nextCheckAt).toBeGreaterThan(data.submittedAt ?? Infinity);
      // The check that saw the video ready (the result is its record: the data is not written again)
      // ran no sooner than it was scheduled.
      expect(outcome.result.completedAt).toBeGreaterThanOrEqual(data.nextCheckAt ?? Infinity);
      expect(data.expectedMs).toBeGreaterThan(200);
    }
  });
});
