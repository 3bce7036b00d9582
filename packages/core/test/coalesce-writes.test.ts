import { once } from 'node:events';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { Redis } from 'ioredis';
import { countSocketWrites, uniquePrefix } from '@vidqueue/testkit';
import { createRedis } from '../src/runtime/index.js';

const opened: Redis[] = [];
afterEach(() => {
  for (const r of opened.splice(0)) r.disconnect();
});

async function connected(): Promise<Redis> {
  const redis = createRedis(inject('redisUrl'), 'worker');
  opened.push(redis);
  await redis.ping();
  return redis;
}

describe('createRedis coalesces the writes of one callback and its continuations', () => {
  it('sends 50 commands issued at once in one system call, in order, each with its own reply', async () => {
    const redis = await connected();
    const key = uniquePrefix('coalesce');
    const writes = countSocketWrites(redis.stream);
    const replies = await Promise.all(Array.from({ length: 50 }, () => redis.incr(key)));
    expect(replies).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(writes.calls()).toBe(1);
    await redis.del(key);
  });

  it('sends commands awaited one after another each at once, waiting for nothing else', async () => {
    const redis = await connected();
    const key = uniquePrefix('coalesce');
    const writes = countSocketWrites(redis.stream);
    for (let i = 1; i <= 5; i++) expect(await redis.incr(key)).toBe(i);
    expect(writes.calls()).toBe(5);
    await redis.del(key);
  });

  it('keeps doing so on the new socket after a reconnection', async () => {
    const redis = await connected();
    const key = uniquePrefix('coalesce');
    const first = redis.stream;
    redis.disconnect(true);
    await once(redis, 'ready');
    expect(redis.stream).not.toBe(first);
    const writes = countSocketWrites(redis.stream);
    const replies = await Promise.all(Array.from({ length: 20 }, () => redis.incr(key)));
    expect(replies.at(-1)).toBe(20);
    expect(writes.calls()).toBe(1);
    await redis.del(key);
  });
});
