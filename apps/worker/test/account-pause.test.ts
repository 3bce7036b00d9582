import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { vidqKeys } from '@vidqueue/core/contract';
import { createRedis } from '@vidqueue/core/runtime';
import { uniquePrefix } from '@vidqueue/testkit';
import type { Redis } from 'ioredis';
import { createAccountPause } from '../src/account-pause.js';

describe('account pause', () => {
  let redis: Redis;
  let prefix: string;

  beforeEach(() => {
    redis = createRedis(inject('redisUrl'), 'worker');
    prefix = uniquePrefix('pause');
  });
  afterEach(async () => {
    await redis.del(vidqKeys(prefix).accountPause);
    await redis.quit();
  });

  it('is absent until set, then holds reason, status and since with a TTL', async () => {
    const pause = createAccountPause(redis, prefix, 5_000);
    expect(await pause.get()).toBeNull();

    await pause.set('Invalid API key', 401);
    const state = await pause.get();
    expect(state).toMatchObject({ reason: 'Invalid API key', status: 401 });
    expect(state?.remainingMs).toBeGreaterThan(4_000);
    expect(state?.remainingMs).toBeLessThanOrEqual(5_000);
    expect(await redis.hgetall(vidqKeys(prefix).accountPause)).toMatchObject({
      reason: 'Invalid API key',
      status: '401',
    });
  });

  it('keeps the first "since" when refreshed, and clears', async () => {
    const pause = createAccountPause(redis, prefix, 5_000);
    await pause.set('out of credits', 403);
    const first = await pause.get();
    await pause.set('out of credits again', 403);
    const second = await pause.get();
    expect(second?.since).toBe(first?.since);
    expect(second?.reason).toBe('out of credits again');
    await pause.clear();
    expect(await pause.get()).toBeNull();
  });

  it('lifts by itself when the TTL runs out', async () => {
    const pause = createAccountPause(redis, prefix, 150);
    await pause.set('Invalid API key', 401);
    expect(await pause.get()).not.toBeNull();
    await expect.poll(() => pause.get(), { timeout: 2_000, interval: 50 }).toBeNull();
  });
});
