import type { Redis } from 'ioredis';
import { vidqKeys } from '@vidqueue/core';
import { luaScript } from './lua.js';
import type { ProcessorHooks } from './processor.js';

/** Recent generation times kept per model and clip duration (a Redis list, newest first). */
export const DURATION_SAMPLES = 100;
/** Fewer samples than this: the model table's figure is used instead. */
export const MIN_DURATION_SAMPLES = 5;
/** How long one worker reuses an estimate before asking Redis again. */
export const DURATION_CACHE_MS = 2_000;

export type DurationEstimate = {
  /** Median of the recent samples (or the seed), in ms. */
  p50Ms: number;
  /** How many samples it is based on; 0 when it is the seed. */
  samples: number;
};

export type DurationStats = {
  /** Records how long a generation took, from the create answer to the status check that saw it done. */
  record(model: string, duration: number | undefined, ms: number): Promise<void>;
  /** The expected generation time, or undefined when nothing is known (no samples, no seed). */
  estimate(model: string, duration: number | undefined): Promise<DurationEstimate | undefined>;
};

export type DurationStatsOptions = {
  /** The seed before enough samples exist: `expectedDurationMs` from @vidqueue/aimlapi. */
  seed?: (model: string, duration: number | undefined) => number | undefined;
  samples?: number;
  cacheMs?: number;
  now?: () => number;
};

/** LPUSH + LTRIM in one script. KEYS: list. ARGV: sample, last index kept. */
const RECORD = luaScript(`
redis.call('LPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]))
return 1`);

/**
 * Learned generation times, shared by every worker through one bounded Redis list per model and
 * duration (LPUSH + LTRIM, so at most `samples` numbers each). Estimates are cached in-process for
 * `cacheMs`, so a burst of ten thousand submissions reads Redis once per key, not ten thousand times.
 *
 * The samples are detection times (the check that saw the video ready), so they overstate the true
 * time by the detection lag; the schedule's first check lands early enough that this cannot run away:
 * while the first check comes before the true median, the samples' median is the true one plus lag.
 */
export function createDurationStats(
  redis: Redis,
  prefix: string,
  options: DurationStatsOptions = {},
): DurationStats {
  const keys = vidqKeys(prefix);
  const size = options.samples ?? DURATION_SAMPLES;
  const cacheMs = options.cacheMs ?? DURATION_CACHE_MS;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { at: number; value: Promise<DurationEstimate | undefined> }>();

  const keyOf = (model: string, duration: number | undefined) => keys.durations(model, duration ?? 'default');

  async function load(model: string, duration: number | undefined): Promise<DurationEstimate | undefined> {
    const seed = options.seed?.(model, duration);
    const raw = await redis.lrange(keyOf(model, duration), 0, size - 1);
    const values = raw.map(Number).filter((n) => Number.isFinite(n) && n > 0);
    if (values.length < MIN_DURATION_SAMPLES) {
      return seed === undefined ? undefined : { p50Ms: seed, samples: 0 };
    }
    values.sort((a, b) => a - b);
    return { p50Ms: values[Math.floor((values.length - 1) / 2)] ?? 0, samples: values.length };
  }

  return {
    async record(model, duration, ms) {
      if (!Number.isFinite(ms) || ms <= 0) return;
      const key = keyOf(model, duration);
      await RECORD(redis, [key], [String(Math.round(ms)), String(size - 1)]);
    },
    estimate(model, duration) {
      const key = keyOf(model, duration);
      const hit = cache.get(key);
      const t = now();
      if (hit && t - hit.at < cacheMs) return hit.value;
      const value = load(model, duration);
      cache.set(key, { at: t, value });
      // Only learned estimates are cached: while samples are too few (or a read failed), the next
      // call asks again, so the schedule switches to learned times as soon as there are enough.
      value.then(
        (estimate) => {
          if (!estimate || estimate.samples === 0) cache.delete(key);
        },
        () => cache.delete(key),
      );
      return value;
    },
  };
}

/** A hook that feeds every completed generation's time into `stats`. */
export function durationStatsHooks(stats: Pick<DurationStats, 'record'>): ProcessorHooks {
  return {
    async completed(job, result) {
      await stats.record(
        job.data.input.model,
        job.data.input.duration,
        result.completedAt - result.submittedAt,
      );
    },
  };
}
