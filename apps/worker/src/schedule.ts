import type { TimingKey } from '@vidqueue/aimlapi';
import type { GenerationInput } from '@vidqueue/core/contract';
import { DEFAULT_FIRST_CHECK_MS, type Config } from '@vidqueue/core/runtime';
import type { DurationStats } from './duration-stats.js';

/** The settings that decide when a job runs next. */
export type ScheduleConfig = Pick<
  Config,
  'STATUS_FIRST_CHECK_MS' | 'STATUS_INTERVAL_MS' | 'RETRY_BASE_MS' | 'RETRY_MAX_MS'
>;

/** A source of numbers in [0, 1): `Math.random` in production, a fixed function in tests. */
export type Random = () => number;

/** Spread of the jitter applied to status-check delays: ±10%. */
export const CHECK_JITTER = 0.1;

/**
 * A provider's Retry-After is honoured up to this many ms, so one odd header cannot park a job for
 * days (a 429 that asks for longer simply comes back and asks again).
 */
export const MAX_RETRY_AFTER_MS = 10 * 60_000;

/** `ms` moved by up to ±`ratio` of itself, never below zero. */
export function jitter(ms: number, ratio = CHECK_JITTER, random: Random = Math.random): number {
  return Math.max(0, Math.round(ms * (1 + ratio * (2 * random() - 1))));
}

/**
 * Delay from submission to the first status check: STATUS_FIRST_CHECK_MS (30 s unset), or the
 * expected generation time when one is known and longer (checking a 60 s job after 5 s only costs calls).
 */
export function firstCheckDelay(
  config: ScheduleConfig,
  expectedMs: number | undefined = undefined,
  random: Random = Math.random,
): number {
  const first = config.STATUS_FIRST_CHECK_MS ?? DEFAULT_FIRST_CHECK_MS;
  return jitter(Math.max(first, expectedMs ?? 0), CHECK_JITTER, random);
}

/** Delay between two status checks of a generation that is still pending. */
export function nextCheckDelay(config: ScheduleConfig, random: Random = Math.random): number {
  return jitter(config.STATUS_INTERVAL_MS, CHECK_JITTER, random);
}

/**
 * Delay before retry number `attempt` (1 for the first retry): capped exponential backoff with full
 * jitter (uniform in [0, min(RETRY_MAX_MS, RETRY_BASE_MS * 2^(attempt-1))]), but never shorter than
 * the provider's Retry-After when it sent one.
 */
export function retryDelay(
  config: ScheduleConfig,
  attempt: number,
  retryAfterMs: number | undefined = undefined,
  random: Random = Math.random,
): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 30));
  const cap = Math.min(config.RETRY_MAX_MS, config.RETRY_BASE_MS * 2 ** exponent);
  const backoff = Math.round(random() * cap);
  const floor =
    retryAfterMs !== undefined && retryAfterMs > 0 ? Math.min(retryAfterMs, MAX_RETRY_AFTER_MS) : 0;
  return Math.max(backoff, floor);
}

/** Adaptive schedule: the first check at this share of the expected generation time. */
export const ADAPTIVE_FIRST_FRACTION = 0.76;
/**
 * Adaptive schedule: the gap between checks after the first, as a share of the expected time (kept
 * constant: generations that finish late are spread out, and halving gaps spent most calls on them).
 */
export const ADAPTIVE_GAP_FRACTION = 0.16;
/** Past this multiple of the expected time a generation is an outlier: back to STATUS_INTERVAL_MS. */
export const ADAPTIVE_OUTLIER_FACTOR = 1.6;
/** Spread of the jitter on adaptive delays: ±5%, enough to spread a batch over a few hundred ms. */
export const ADAPTIVE_JITTER = 0.05;

export type AdaptiveScheduleConfig = ScheduleConfig & Pick<Config, 'STATUS_MIN_INTERVAL_MS'>;

/** The adaptive floor: STATUS_MIN_INTERVAL_MS, but never more than the fixed STATUS_INTERVAL_MS. */
function floorOf(config: AdaptiveScheduleConfig): number {
  return Math.min(config.STATUS_MIN_INTERVAL_MS, config.STATUS_INTERVAL_MS);
}

/** Adaptive schedule: this share of first checks is placed early (the share-of-expected rule) to keep learning. */
export const ADAPTIVE_PROBE_SHARE = 0.05;

/**
 * What the adaptive schedule knows of a timing key's generation times: the median (`p50Ms`, detection
 * times) and, once learned, the spread (`lowMs`, `highMs`: see `DurationEstimate`).
 */
export type ExpectedTimes = { p50Ms: number; lowMs?: number; highMs?: number };

/** The adaptive gap between checks for an expected time: its share, within the floor and STATUS_INTERVAL_MS. */
function gapOf(config: AdaptiveScheduleConfig, expectedMs: number): number {
  return Math.max(floorOf(config), Math.min(config.STATUS_INTERVAL_MS, expectedMs * ADAPTIVE_GAP_FRACTION));
}

/**
 * Adaptive delay from submission to the first check. Early (ADAPTIVE_FIRST_FRACTION of the median,
 * ±ADAPTIVE_JITTER) unless the learned spread allows a later one: the first check then comes when
 * SPREAD_HIGH_QUANTILE of the generations are done (`highMs`, up to ADAPTIVE_JITTER later), but never
 * more than one gap after the time SPREAD_LOW_QUANTILE of them are proven to take (`lowMs`), so an
 * early finisher waits no longer than between two later checks. For a narrow spread (a model whose
 * times hardly vary) that is one check per video; for a wide one it is the early check. A share
 * ADAPTIVE_PROBE_SHARE of the first checks stays early, so what is proven below `highMs` keeps being
 * learned (a spread learned only from checks that all found the video done would say nothing of it).
 */
export function adaptiveFirstCheckDelay(
  config: AdaptiveScheduleConfig,
  expected: number | ExpectedTimes,
  random: Random = Math.random,
): number {
  const { p50Ms, lowMs, highMs } = typeof expected === 'number' ? { p50Ms: expected } : expected;
  const early = Math.max(floorOf(config), p50Ms * ADAPTIVE_FIRST_FRACTION);
  const late =
    lowMs === undefined || highMs === undefined ? 0 : Math.min(highMs, lowMs + gapOf(config, p50Ms));
  if (late <= early || random() < ADAPTIVE_PROBE_SHARE) return jitter(early, ADAPTIVE_JITTER, random);
  return Math.round(late * (1 + ADAPTIVE_JITTER * random()));
}

/**
 * Adaptive delay before the next check, after `polls` checks (≥ 1) that saw the generation pending,
 * `elapsedMs` after submission: a constant gap of ADAPTIVE_GAP_FRACTION of the expected time, kept
 * between STATUS_MIN_INTERVAL_MS and STATUS_INTERVAL_MS (never sparser than the fixed schedule); for
 * an outlier (well past the expected time) the fixed STATUS_INTERVAL_MS.
 */
export function adaptiveNextCheckDelay(
  config: AdaptiveScheduleConfig,
  expectedMs: number,
  elapsedMs: number,
  _polls: number,
  random: Random = Math.random,
): number {
  if (elapsedMs > expectedMs * ADAPTIVE_OUTLIER_FACTOR) return nextCheckDelay(config, random);
  return jitter(gapOf(config, expectedMs), ADAPTIVE_JITTER, random);
}

/** The first check of a generation, and the expected generation time it was placed from (adaptive). */
export type FirstCheck = { at: number; expectedMs?: number };

/** When a generation's status is checked: the processor asks, this decides (fixed or adaptive). */
export type CheckSchedule = {
  /** The first check of a generation of `input` the provider accepted at `submittedAt` (epoch ms). */
  firstCheckAt(input: GenerationInput, submittedAt: number): Promise<FirstCheck>;
  /**
   * Epoch ms of the next check, after `polls` checks that saw it pending; `now` is the current time;
   * `expectedMs` what the first check was placed from (kept in the job, so one job's schedule stays
   * consistent while the shared estimate moves).
   */
  nextCheckAt(
    input: GenerationInput,
    info: { submittedAt: number; polls: number; now: number; expectedMs?: number },
  ): Promise<number>;
};

/** The fixed schedule: STATUS_FIRST_CHECK_MS (or the expected time when longer), then STATUS_INTERVAL_MS. */
export function fixedCheckSchedule(
  config: ScheduleConfig,
  expectedMs?: (input: GenerationInput) => number | undefined,
  random: Random = Math.random,
): CheckSchedule {
  return {
    firstCheckAt: (input, submittedAt) =>
      Promise.resolve({ at: submittedAt + firstCheckDelay(config, expectedMs?.(input), random) }),
    nextCheckAt: (_input, { now }) => Promise.resolve(now + nextCheckDelay(config, random)),
  };
}

/** A timing key from the job alone (model and a numeric duration), for callers without a catalogue. */
export function inputTimingKey(input: GenerationInput): TimingKey {
  return typeof input.duration === 'number'
    ? { model: input.model, duration: input.duration }
    : { model: input.model };
}

/**
 * The adaptive schedule, from generation times learned by `stats` per timing key (`keyOf`: model,
 * duration and resolution with the model's defaults, see `timingKeys`). Without an estimate for a key
 * (fewer than MIN_DURATION_SAMPLES finished, and no seed) it is the fixed schedule.
 */
export function adaptiveCheckSchedule(
  config: AdaptiveScheduleConfig,
  stats: Pick<DurationStats, 'estimate'>,
  random: Random = Math.random,
  keyOf: (input: GenerationInput) => TimingKey = inputTimingKey,
): CheckSchedule {
  const fixed = fixedCheckSchedule(config, undefined, random);
  return {
    async firstCheckAt(input, submittedAt) {
      const estimate = await stats.estimate(keyOf(input));
      if (!estimate) return fixed.firstCheckAt(input, submittedAt);
      return {
        at: submittedAt + adaptiveFirstCheckDelay(config, estimate, random),
        expectedMs: estimate.p50Ms,
      };
    },
    async nextCheckAt(input, info) {
      // The job's own expectation first: during a batch, completions arrive shortest first, and the
      // shared estimate dips meanwhile; a job keeps the schedule its first check was placed on.
      const expectedMs = info.expectedMs ?? (await stats.estimate(keyOf(input)))?.p50Ms;
      if (expectedMs === undefined) return fixed.nextCheckAt(input, info);
      const delay = adaptiveNextCheckDelay(
        config,
        expectedMs,
        info.now - info.submittedAt,
        info.polls,
        random,
      );
      return info.now + delay;
    },
  };
}
