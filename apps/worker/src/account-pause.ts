import type { RedisConnection } from '@vidqueue/core/runtime';
import { vidqKeys } from '@vidqueue/core/contract';

/** Why provider submissions are paused for every worker, and for how much longer. */
export type AccountPauseState = {
  reason: string;
  /** The provider's HTTP status (401, 403), when known. */
  status: number | undefined;
  /** Epoch ms when the pause began (kept while the pause is refreshed). */
  since: number;
  /** Milliseconds until the pause lifts by itself. */
  remainingMs: number;
};

export type AccountPause = {
  /** The active pause, or null when submissions may go ahead. */
  get(): Promise<AccountPauseState | null>;
  /** Starts the pause, or refreshes it for another `ttlMs`. */
  set(reason: string, status: number | undefined): Promise<void>;
  /** Lifts the pause now (an operator fixed the key or topped up credits). */
  clear(): Promise<void>;
};

/**
 * An account-wide pause on create calls, shared by every worker process through one Redis hash
 * (`vidqKeys(prefix).accountPause`: reason, status, since) that expires after `ttlMs`. When it
 * expires the next job tries once; if the account is still broken, that job sets it again.
 */
export function createAccountPause(redis: RedisConnection, prefix: string, ttlMs: number): AccountPause {
  const key = vidqKeys(prefix).accountPause;
  return {
    async get() {
      const [fields, pttl] = await Promise.all([redis.hgetall(key), redis.pttl(key)]);
      return accountPauseFrom(fields, pttl, ttlMs);
    },
    async set(reason, status) {
      await redis
        .multi()
        .hsetnx(key, 'since', String(Date.now()))
        .hset(key, { reason, status: status === undefined ? '' : String(status) })
        .pexpire(key, ttlMs)
        .exec();
    },
    async clear() {
      await redis.del(key);
    },
  };
}

/**
 * The pause state from the hash's fields (HGETALL) and its PTTL, read by `get()` or by a caller that
 * fetched both in a pipeline of its own; null when there is no pause.
 */
export function accountPauseFrom(
  fields: Record<string, string>,
  pttl: number,
  ttlMs: number,
): AccountPauseState | null {
  if (Object.keys(fields).length === 0 || pttl === -2) return null;
  const status = Number(fields.status);
  return {
    reason: fields.reason ?? 'account problem',
    status: Number.isInteger(status) && status > 0 ? status : undefined,
    since: Number(fields.since) || Date.now(),
    // -1 means no TTL (set by hand): treat it as one full pause period, re-read on the next run.
    remainingMs: pttl > 0 ? pttl : ttlMs,
  };
}
