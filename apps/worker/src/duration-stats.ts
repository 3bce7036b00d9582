import type { RedisConnection } from '@vidqueue/core/runtime';
import type { TimingKey } from '@vidqueue/aimlapi';
import { vidqKeys, type GenerationInput } from '@vidqueue/core/contract';
import { scripts } from '@vidqueue/core/store';
import {
  decodeSample,
  encodeSample,
  finishQuantiles,
  isEarlyFirstCheck,
  type FinishSample,
} from './finish-times.js';
import type { ProcessorHooks } from './hooks.js';

/** Recent generation times the median and the spread are taken from, per timing key. */
export const DURATION_SAMPLES = 100;
/**
 * Samples kept per timing key (a Redis list, newest first): the lower bound of the spread is taken from
 * the early ones among all of them, since in a steady state only ADAPTIVE_PROBE_SHARE are early.
 */
export const DURATION_SAMPLES_KEPT = 3 * DURATION_SAMPLES;
/** Fewer samples than this: the seed (the catalogue's expected time) is used instead, if any. */
export const MIN_DURATION_SAMPLES = 5;
/** How long one worker reuses an estimate before asking Redis again. */
export const DURATION_CACHE_MS = 2_000;
/** The spread of learned times: from this quantile of what the samples prove… */
export const SPREAD_LOW_QUANTILE = 0.05;
/** …to this one. */
export const SPREAD_HIGH_QUANTILE = 0.95;
/** Fewer early samples than this among those kept: no lower bound (`lowMs`) is known. */
export const MIN_EARLY_SAMPLES = 3;
/** Early samples needed before a time they all bracket is taken as the lower bound (`earlyLowMs`). */
export const CONCENTRATED_SAMPLES = 20;
/** Jobs one worker remembers between their first check (early, pending) and the one that sees them done. */
const EARLY_PENDING_LIMIT = 200_000;

export type DurationEstimate = {
  /** Median of the recent samples' detection times (or the seed), in ms. */
  p50Ms: number;
  /** How many samples it is based on; 0 when it is the seed. */
  samples: number;
  /**
   * Learned, with MIN_EARLY_SAMPLES early samples or more: before this time (ms) only
   * SPREAD_LOW_QUANTILE of those finish (`earlyLowMs`); 0 when more were seen done at their first check.
   */
  lowMs?: number;
  /** Learned only: by this time (ms) SPREAD_HIGH_QUANTILE of the generations were done (a check saw it). */
  highMs?: number;
};

export type DurationStats = {
  /**
   * Records how long a generation took, from the create answer to the status check that saw it done
   * (`ms`); `proof`: when the last check that saw it pending ran (`pendingMs`, same origin; 0 or
   * absent: none did), so its true time was in (pendingMs, ms], and whether its first check was early
   * (`FinishSample`). With `flushIntervalMs` the sample is held in memory until the next flush (and
   * resolves at once).
   */
  record(key: TimingKey, ms: number, proof?: { pendingMs?: number; early?: boolean }): Promise<void>;
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
 * The learned estimate from samples, newest first (at least one): the detection times' median and the
 * time by which most are proven done (`finishQuantiles`), both of the newest `recent`; and `lowMs`
 * from the early samples alone (see `earlyLowMs`).
 */
export function estimateFromSamples(
  samples: readonly FinishSample[],
  recent = DURATION_SAMPLES,
): DurationEstimate {
  const newest = samples.slice(0, recent);
  const done = newest.map((s) => s.doneMs).sort((a, b) => a - b);
  const [high] = finishQuantiles(newest, [SPREAD_HIGH_QUANTILE]);
  const low = earlyLowMs(samples.filter((s) => s.early));
  return {
    p50Ms: done[Math.floor((done.length - 1) / 2)] ?? 0,
    samples: newest.length,
    ...(high && { highMs: high.upperMs }),
    ...(low !== undefined && { lowMs: low }),
  };
}

/**
 * The time before which only SPREAD_LOW_QUANTILE of the generations finish, from the early samples (a
 * share chosen without regard to their own times), or undefined with fewer than MIN_EARLY_SAMPLES: the
 * SPREAD_LOW_QUANTILE of their proven lower bounds (0 for one seen done at its first check, where
 * nothing looked earlier). When CONCENTRATED_SAMPLES or more of them all bracket one time (their
 * estimate holds both ends of the spread in one innermost interval), the lower end of that interval:
 * the generations take that time, closer together than the checks that measured them.
 */
export function earlyLowMs(early: readonly FinishSample[]): number | undefined {
  if (early.length < MIN_EARLY_SAMPLES) return undefined;
  const proven = early.map((s) => s.pendingMs).sort((a, b) => a - b);
  const low = proven[Math.floor(SPREAD_LOW_QUANTILE * proven.length)] ?? 0;
  if (low === 0 || early.length < CONCENTRATED_SAMPLES) return low;
  const [from, to] = finishQuantiles(early, [SPREAD_LOW_QUANTILE, SPREAD_HIGH_QUANTILE]);
  const one = from !== undefined && to !== undefined && from.upperMs === to.upperMs;
  return one ? Math.max(low, from.lowerMs) : low;
}

/**
 * Learned generation times, shared by every worker through one bounded Redis list per timing key
 * (model, clip duration, and resolution where the model has one: `timingKey` of @vidqueue/aimlapi;
 * LPUSH + LTRIM, so at most `samples` entries each). Estimates are cached in-process for
 * `cacheMs`, so a burst of ten thousand submissions reads Redis once per key, not ten thousand times.
 *
 * Each sample is what one generation proves (`finish-times.ts`): pending at one check, done at the
 * next. The median (`p50Ms`) is of the detection times, which overstate the true time by the
 * detection lag; the schedule's early first check keeps that from running away (while it comes before
 * the true median, the samples' median is the true one plus lag). The spread (`lowMs`, `highMs`) is
 * estimated from the intervals themselves, so it does not grow with a later first check.
 */
export function createDurationStats(
  redis: RedisConnection,
  prefix: string,
  options: DurationStatsOptions = {},
): DurationStats {
  const keys = vidqKeys(prefix);
  const recent = options.samples ?? DURATION_SAMPLES;
  const size = (DURATION_SAMPLES_KEPT / DURATION_SAMPLES) * recent;
  const cacheMs = options.cacheMs ?? DURATION_CACHE_MS;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { at: number; value: Promise<DurationEstimate | undefined> }>();

  const keyOf = (key: TimingKey) => keys.durations(key.model, key.duration ?? 'default', key.resolution);

  async function load(key: TimingKey): Promise<DurationEstimate | undefined> {
    const seed = options.seed?.(key);
    const raw = await redis.lrange(keyOf(key), 0, size - 1);
    const samples = raw.flatMap((r) => decodeSample(r) ?? []);
    if (samples.slice(0, recent).length < MIN_DURATION_SAMPLES) {
      return seed === undefined ? undefined : { p50Ms: seed, samples: 0 };
    }
    return estimateFromSamples(samples, recent);
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
    async record(timing, ms, proof = {}) {
      if (!Number.isFinite(ms) || ms <= 0) return;
      const key = keyOf(timing);
      const pendingMs =
        proof.pendingMs !== undefined && Number.isFinite(proof.pendingMs) ? proof.pendingMs : 0;
      const sample = encodeSample({ doneMs: ms, pendingMs, ...(proof.early && { early: true }) });
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

/**
 * A hook that feeds every finished generation's time into `stats`, under the job's timing key: at the
 * status check that saw it done (with the check before, which saw it pending), or at completion for
 * one that no check saw finish (done in the create answer). Whether its first check was early is
 * judged at that first check (from when it was scheduled, `isEarlyFirstCheck`) and, while the job is
 * pending, remembered by this process (a job finished by another worker process counts as not early).
 */
export function durationStatsHooks(
  stats: Pick<DurationStats, 'record'>,
  keyOf: (input: GenerationInput) => TimingKey,
): ProcessorHooks {
  /** Jobs whose first check was early and saw them pending, oldest first. */
  const earlyPending = new Set<string>();
  return {
    async checked(job, info) {
      const submittedAt = job.data.submittedAt;
      if (submittedAt === undefined) return;
      const id = job.id ?? '';
      let early = false;
      if (info.polls === 1) {
        const scheduledMs = info.at - (info.lateMs ?? 0) - submittedAt;
        early = isEarlyFirstCheck(scheduledMs, job.data.expectedMs);
      } else early = earlyPending.delete(id);
      if (info.phase === 'pending') {
        if (early) earlyPending.add(id);
        const oldest = earlyPending.size > EARLY_PENDING_LIMIT ? earlyPending.values().next() : undefined;
        if (oldest && !oldest.done) earlyPending.delete(oldest.value);
        return;
      }
      if (info.phase !== 'completed') return;
      const pendingMs = (info.previousCheckAt ?? submittedAt) - submittedAt;
      await stats.record(keyOf(job.data.input), info.at - submittedAt, { pendingMs, early });
    },
    async completed(job, result) {
      if (result.polls > 0) return;
      await stats.record(keyOf(job.data.input), result.completedAt - result.submittedAt);
    },
    failed(job) {
      earlyPending.delete(job.id ?? '');
    },
  };
}
