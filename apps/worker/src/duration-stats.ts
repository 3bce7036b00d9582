import type { Redis } from 'ioredis';
import type { TimingKey } from '@vidqueue/aimlapi';
import { vidqKeys, type GenerationInput } from '@vidqueue/core/contract';
import { scripts } from '@vidqueue/core/store';
import type { ProcessorHooks } from './hooks.js';

/** Recent generation times kept per timing key (a Redis list, newest first). */
export const DURATION_SAMPLES = 100;
/** Fewer samples than this: the seed (the catalogue's expected time) is used instead, if any. */
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
  /**
   * Records how long a generation took, from the create answer to the status check that saw it done.
   * With `flushIntervalMs` the sample is held in memory until the next flush (and resolves at once).
   */
  record(key: TimingKey, ms: number): Promise<void>;
  /** The expected generation time, or undefined when nothing is known (no samples, no seed). */
  estimate(key: TimingKey): Promise<DurationEstimate | undefined>;
  /** Writes the samples held in memory now (one script per timing key). */
  flush(): Promise<void>;
  /** Stops the flush timer and writes what is held. */
  close(): Promise<void>;
};

export type DurationStatsOptions = {
  /** The seed before enough samples exist (ms): the catalogue's expected time (`catalogueSeed`). */
  seed?: (key: TimingKey) => number | undefined;
  samples?: number;
  cacheMs?: number;
  now?: () => number;
  /**
   * Hold samples in memory and write them every this many ms (0, the default: each one at once). A busy
   * worker then writes one script a second per timing key instead of one per completed video.
   */
  flushIntervalMs?: number;
  /** Where a failed background flush is reported (a lost sample only delays learning). */
  onError?: (err: unknown) => void;
};

/**
 * Learned generation times, shared by every worker through one bounded Redis list per timing key
 * (model, clip duration, and resolution where the model has one: `timingKey` of @vidqueue/aimlapi;
 * LPUSH + LTRIM, so at most `samples` numbers each). Estimates are cached in-process for
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

  const keyOf = (key: TimingKey) => keys.durations(key.model, key.duration ?? 'default', key.resolution);

  async function load(key: TimingKey): Promise<DurationEstimate | undefined> {
    const seed = options.seed?.(key);
    const raw = await redis.lrange(keyOf(key), 0, size - 1);
    const values = raw.map(Number).filter((n) => Number.isFinite(n) && n > 0);
    if (values.length < MIN_DURATION_SAMPLES) {
      return seed === undefined ? undefined : { p50Ms: seed, samples: 0 };
    }
    values.sort((a, b) => a - b);
    return { p50Ms: values[Math.floor((values.length - 1) / 2)] ?? 0, samples: values.length };
  }

  const write = (key: string, samples: string[]) =>
    scripts['durations-record'].run(redis, [key], [String(size - 1), ...samples]);

  const interval = options.flushIntervalMs ?? 0;
  /** key → samples not yet written, oldest first (only the newest `size` can matter). */
  let held = new Map<string, string[]>();
  async function flush(): Promise<void> {
    if (held.size === 0) return;
    const batch = held;
    held = new Map();
    await Promise.all(
      [...batch].map(([key, samples]) => write(key, samples).catch((err: unknown) => options.onError?.(err))),
    );
  }
  const timer = interval > 0 ? setInterval(() => void flush(), interval) : undefined;
  timer?.unref();

  return {
    async record(timing, ms) {
      if (!Number.isFinite(ms) || ms <= 0) return;
      const key = keyOf(timing);
      const sample = String(Math.round(ms));
      if (!timer) {
        await write(key, [sample]);
        return;
      }
      const samples = held.get(key);
      if (!samples) held.set(key, [sample]);
      else {
        samples.push(sample);
        if (samples.length > size) samples.shift();
      }
    },
    flush,
    async close() {
      if (timer) clearInterval(timer);
      await flush();
    },
    estimate(timing) {
      const key = keyOf(timing);
      const hit = cache.get(key);
      const t = now();
      if (hit && t - hit.at < cacheMs) return hit.value;
      const value = load(timing);
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

/** A hook that feeds every completed generation's time into `stats`, under the job's timing key. */
export function durationStatsHooks(
  stats: Pick<DurationStats, 'record'>,
  keyOf: (input: GenerationInput) => TimingKey,
): ProcessorHooks {
  return {
    async completed(job, result) {
      await stats.record(keyOf(job.data.input), result.completedAt - result.submittedAt);
    },
  };
}
