import { afterEach, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { createRedisGuard, isRedisUnavailableError, ProducerError } from '../src/producer/index.js';
import { freePort } from '@vidqueue/redis-server';
import { createRedis } from '../src/runtime/index.js';

const opened: Redis[] = [];
afterEach(() => {
  for (const r of opened.splice(0)) r.disconnect();
});

function track(redis: Redis): Redis {
  redis.on('error', () => undefined);
  opened.push(redis);
  return redis;
}

/** What ioredis rejects with for an error reply (its `ReplyError` from redis-errors, which has no types). */
function replyError(message: string): Error {
  return Object.assign(new Error(message), { name: 'ReplyError' });
}

function unavailable(err: unknown): boolean {
  return err instanceof ProducerError && err.code === 'REDIS_UNAVAILABLE' && err.status === 503;
}

describe('the producer Redis guard', () => {
  it('classifies every "Redis cannot serve now" error, and nothing else', () => {
    const errno = (code: string) => Object.assign(new Error(`connect ${code}`), { code });
    for (const err of [
      errno('ECONNREFUSED'),
      errno('ECONNRESET'),
      errno('EPIPE'),
      errno('ETIMEDOUT'),
      errno('ENOTFOUND'),
      errno('EHOSTUNREACH'),
      new Error('Connection is closed.'),
      new Error("Stream isn't writeable and enableOfflineQueue options is false"),
      // What ioredis' Cluster client throws while a failover moves a slot (seen in pnpm chaos --cluster).
      new Error('Too many Cluster redirections. Last error: ReplyError: MOVED 4772 127.0.0.1:20201'),
      Object.assign(new Error('Reached the max retries per request limit (which is 1).'), {
        name: 'MaxRetriesPerRequestError',
      }),
      ...['LOADING', 'BUSY', 'MASTERDOWN', 'TRYAGAIN', 'CLUSTERDOWN', 'READONLY', 'MISCONF', 'OOM'].map(
        (reply) => replyError(`${reply} the server cannot serve this now`),
      ),
    ]) {
      expect(isRedisUnavailableError(err), err.message).toBe(true);
    }
    for (const err of [
      replyError('ERR wrong number of arguments'),
      replyError('WRONGTYPE Operation against a key holding the wrong kind of value'),
      new Error('a bug'),
      'not an error',
    ]) {
      expect(isRedisUnavailableError(err), String(err)).toBe(false);
    }
  });

  it('answers REDIS_UNAVAILABLE for a reply such as LOADING, and passes other errors through', async () => {
    const redis = track(new Redis(inject('redisUrl')));
    await redis.ping();
    const guard = createRedisGuard(redis, { timeoutMs: 1_000 });
    const loading = await guard(() => Promise.reject(replyError('LOADING Redis is loading'))).catch(
      (e: unknown) => e,
    );
    expect(unavailable(loading)).toBe(true);
    expect((loading as Error).message).toBe('The queue store (Redis) is unreachable; try again shortly');
    const bug = new Error('a bug');
    await expect(guard(() => Promise.reject(bug))).rejects.toBe(bug);
    expect(await guard(() => redis.ping())).toBe('PONG');
  });

  it('gives up after the timeout (bulk operations get the longer one)', async () => {
    const redis = track(new Redis(inject('redisUrl')));
    await redis.ping();
    const guard = createRedisGuard(redis, { timeoutMs: 100, bulkTimeoutMs: 400 });
    const never = () => new Promise<never>(() => undefined);
    let start = performance.now();
    expect(unavailable(await guard(never).catch((e: unknown) => e))).toBe(true);
    expect(performance.now() - start).toBeLessThan(380);
    start = performance.now();
    expect(unavailable(await guard.bulk(never).catch((e: unknown) => e))).toBe(true);
    expect(performance.now() - start).toBeGreaterThanOrEqual(390);
  });

  it('fails at once while the connection is not ready, or waits for it when asked to', async () => {
    const port = await freePort();
    const down = track(createRedis(`redis://127.0.0.1:${port}`, 'producer'));
    const atOnce = createRedisGuard(down, { timeoutMs: 1_000 });
    let start = performance.now();
    expect(unavailable(await atOnce(() => down.ping()).catch((e: unknown) => e))).toBe(true);
    expect(performance.now() - start).toBeLessThan(100);

    const waiting = createRedisGuard(down, { timeoutMs: 1_000, connectWaitMs: 300 });
    start = performance.now();
    expect(unavailable(await waiting(() => down.ping()).catch((e: unknown) => e))).toBe(true);
    expect(performance.now() - start).toBeGreaterThanOrEqual(290);

    // A client that connects lazily: the first call waits for the connection instead of failing.
    const lazy = track(createRedis(inject('redisUrl'), 'producer'));
    expect(await createRedisGuard(lazy, { connectWaitMs: 2_000 })(() => lazy.ping())).toBe('PONG');
  });
});
