import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Redis } from 'ioredis';
import { GUESS_SECONDS_PER_VIDEO_SECOND, shippedCatalogue } from '@vidqueue/aimlapi';
import { vidqKeys, type GenerationInput } from '@vidqueue/core/contract';
import { createRedis } from '@vidqueue/core/runtime';
import { uniquePrefix } from '@vidqueue/testkit';
import { MIN_DURATION_SAMPLES, createDurationStats } from '../src/duration-stats.js';
import { ADAPTIVE_FIRST_FRACTION, adaptiveCheckSchedule } from '../src/schedule.js';
import { catalogueSeed, timingKeys } from '../src/timing-keys.js';

const keyOf = timingKeys(shippedCatalogue());
const seed = catalogueSeed(shippedCatalogue());
const KANDINSKY = 'sber-ai/kandinsky5-distill-t2v';
const VEO = 'google/veo-3.1-t2v';
const job = (input: { model: string } & Record<string, string | number | boolean>): GenerationInput => ({
  ...input,
  prompt: 'p',
});

describe('schedule keys', () => {
  it('are model, duration and resolution where the model has one, with its defaults filled in', () => {
    expect(keyOf(job({ model: KANDINSKY }))).toEqual({ model: KANDINSKY, duration: 5 });
    expect(keyOf(job({ model: KANDINSKY, duration: 10, aspect_ratio: '1:1' }))).toEqual({
      model: KANDINSKY,
      duration: 10,
    });
    expect(keyOf(job({ model: VEO }))).toEqual({ model: VEO, duration: 8, resolution: '1080p' });
    expect(keyOf(job({ model: VEO, resolution: '720p', seed: 3 }))).toEqual({
      model: VEO,
      duration: 8,
      resolution: '720p',
    });
    // A model the catalogue no longer offers: what the job says.
    expect(keyOf(job({ model: 'acme/gone', duration: 6, resolution: '4k' }))).toEqual({
      model: 'acme/gone',
      duration: 6,
      resolution: '4k',
    });
  });

  it('name a Redis list per key; keys without a resolution are the ones written before', () => {
    const keys = vidqKeys('p');
    expect(keys.durations(KANDINSKY, 5)).toBe(`p:vidq:durations:5:${KANDINSKY}`);
    expect(keys.durations(VEO, 8, '720p')).toBe(`p:vidq:durations:8:720p:${VEO}`);
  });

  it('start from the measured Kandinsky times, and a marked guess for the others', () => {
    expect(seed({ model: KANDINSKY, duration: 5 })).toBe(45_000);
    expect(seed({ model: KANDINSKY, duration: 10 })).toBe(70_000);
    expect(seed({ model: 'sber-ai/kandinsky5-t2v', duration: 5 })).toBe(150_000);
    expect(seed({ model: VEO, duration: 8, resolution: '720p' })).toBe(
      8 * GUESS_SECONDS_PER_VIDEO_SECOND * 1000,
    );
    expect(seed({ model: 'acme/gone' })).toBeUndefined();
  });
});

describe('the adaptive schedule by timing key', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = createRedis(inject('redisUrl'), 'worker');
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('places a first check from the seed, and learns each resolution on its own', async () => {
    const prefix = uniquePrefix('tk');
    const config = {
      STATUS_INTERVAL_MS: 10_000,
      STATUS_MIN_INTERVAL_MS: 2_000,
      RETRY_BASE_MS: 2_000,
      RETRY_MAX_MS: 60_000,
    };
    const stats = createDurationStats(redis, prefix, { seed, cacheMs: 0 });
    const schedule = adaptiveCheckSchedule(config, stats, () => 0.5, keyOf);
    const at720 = job({ model: VEO, resolution: '720p' });
    const at1080 = job({ model: VEO });
    const guess = 8 * GUESS_SECONDS_PER_VIDEO_SECOND * 1000;
    expect(await schedule.firstCheckAt(at720, 0)).toEqual({
      at: guess * ADAPTIVE_FIRST_FRACTION,
      expectedMs: guess,
    });
    for (let i = 0; i < MIN_DURATION_SAMPLES; i++) await stats.record(keyOf(at720), 40_000);
    expect(await schedule.firstCheckAt(at720, 0)).toEqual({
      at: 40_000 * ADAPTIVE_FIRST_FRACTION,
      expectedMs: 40_000,
    });
    expect(await schedule.firstCheckAt(at1080, 0)).toEqual({
      at: guess * ADAPTIVE_FIRST_FRACTION,
      expectedMs: guess,
    });
    const keys = await redis.keys(`${prefix}:*`);
    expect(keys).toEqual([vidqKeys(prefix).durations(VEO, 8, '720p')]);
    await redis.del(...keys);
  });
});
