import type { Config } from '@vidqueue/core';

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
 * Delay from submission to the first status check: the configured minimum, or the expected
 * generation time when one is known and longer (checking a 60 s job after 5 s only costs calls).
 */
export function firstCheckDelay(
  config: ScheduleConfig,
  expectedMs: number | undefined = undefined,
  random: Random = Math.random,
): number {
  return jitter(Math.max(config.STATUS_FIRST_CHECK_MS, expectedMs ?? 0), CHECK_JITTER, random);
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
