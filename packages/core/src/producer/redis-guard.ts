/**
 * The one "is Redis there?" guard of the producer (the API's routes and the SDK's Redis mode): each
 * Redis operation runs under a timeout, and any sign that Redis cannot be reached right now becomes
 * `ProducerError('REDIS_UNAVAILABLE')` (HTTP 503, the SDK's `UnavailableError`), so a request never
 * hangs on Redis and never answers 500 for an outage.
 *
 * A timeout does not cancel the operation: a write that was sent may still land after the caller
 * gave up. Whatever runs under the guard must be safe to repeat (see the Idempotency-Key handling).
 */
import type { RedisConnection } from '../runtime/connection.js';
import { ProducerError } from './errors.js';

/** Runs one Redis operation with the guard's timeout and error mapping. */
export type Guard = <T>(op: () => Promise<T>) => Promise<T>;

/** `guard(op)` for one operation; `guard.bulk(op)` for a chunk of rows, which may take longer. */
export type RedisGuard = Guard & { bulk: Guard; readonly timeoutMs: number };

export type RedisGuardOptions = {
  /** Longest wait for one operation (default 2000 ms). */
  timeoutMs?: number;
  /** Longest wait for one bulk operation, such as adding a chunk of 1000 jobs (default 30 000 ms). */
  bulkTimeoutMs?: number;
  /**
   * How long an operation waits for a connection that is not ready: 0 (the API: answer 503 at once
   * while Redis is known to be down) or, for a client that connects lazily (the SDK), a wait.
   */
  connectWaitMs?: number;
};

/** Network failures: the socket could not be opened or was lost. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
]);
/** ioredis's own words for a connection that cannot take commands. */
const CONNECTION_MESSAGES = [
  'Connection is closed',
  "Stream isn't writeable",
  'Reached the max retries per request',
  // ioredis Cluster, before its slot map is known or once every node is gone.
  "Cluster isn't ready",
  'None of startup nodes is available',
  'Failed to refresh slots cache',
  // ioredis Cluster while a failover moves a slot (MOVED answered again and again until the map settles).
  'Too many Cluster redirections',
];
/** Replies of a Redis that is up but cannot serve now (loading, busy script, failover, read-only, out of memory…). */
const UNAVAILABLE_REPLIES = /^(LOADING|BUSY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|READONLY|MISCONF|OOM)\b/;

/** True for errors that mean "Redis is not reachable right now" rather than a bug. */
export function isRedisUnavailableError(err: unknown): boolean {
  if (err instanceof ProducerError) return err.code === 'REDIS_UNAVAILABLE';
  if (!(err instanceof Error)) return false;
  const code = (err as NodeJS.ErrnoException).code;
  if (code !== undefined && CONNECTION_CODES.has(code)) return true;
  if (err.name === 'MaxRetriesPerRequestError') return true;
  if (err.name === 'ReplyError') return UNAVAILABLE_REPLIES.test(err.message);
  return CONNECTION_MESSAGES.some((m) => err.message.includes(m));
}

export function createRedisGuard(redis: RedisConnection, options: RedisGuardOptions = {}): RedisGuard {
  const timeoutMs = options.timeoutMs ?? 2_000;
  const bulkTimeoutMs = Math.max(options.bulkTimeoutMs ?? 30_000, timeoutMs);
  const connectWaitMs = options.connectWaitMs ?? 0;

  async function ready(): Promise<void> {
    if (redis.status === 'ready') return;
    if (redis.status === 'end' || connectWaitMs <= 0) throw new ProducerError('REDIS_UNAVAILABLE');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        redis.off('ready', onReady);
        reject(new ProducerError('REDIS_UNAVAILABLE'));
      }, connectWaitMs);
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      redis.once('ready', onReady);
    });
  }

  const run =
    (limitMs: number): Guard =>
    async <T>(op: () => Promise<T>): Promise<T> => {
      await ready();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new ProducerError('REDIS_UNAVAILABLE', { cause: new Error(`no answer in ${limitMs} ms`) }),
            ),
          limitMs,
        );
      });
      try {
        return await Promise.race([op(), timeout]);
      } catch (err) {
        if (err instanceof ProducerError) throw err;
        if (isRedisUnavailableError(err)) throw new ProducerError('REDIS_UNAVAILABLE', { cause: err });
        throw err;
      } finally {
        clearTimeout(timer);
      }
    };

  return Object.assign(run(timeoutMs), { bulk: run(bulkTimeoutMs), timeoutMs });
}
