import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { deletePrefix, dumpKeys, uniquePrefix } from '../src/index.js';

const redis = new Redis(inject('redisUrl'));
const prefixes: string[] = [];
afterEach(async () => {
  for (const prefix of prefixes.splice(0)) await deletePrefix(inject('redisUrl'), prefix);
});
afterAll(async () => {
  await redis.quit();
});

describe('deletePrefix', () => {
  it("removes every key under the test's prefix and nothing else", async () => {
    const mine = uniquePrefix('tk');
    const other = uniquePrefix('tk');
    prefixes.push(mine, other);
    expect(mine).not.toBe(other);
    await redis.set(`${mine}:a`, '1');
    await redis.hset(`${mine}:b:c`, { field: 'value' });
    await redis.set(`${other}:a`, '2');

    expect(await dumpKeys(redis, `${mine}:*`)).toContain(`${mine}:b:c {"field":"value"}`);
    await deletePrefix(inject('redisUrl'), mine);
    expect(await redis.keys(`${mine}:*`)).toEqual([]);
    expect(await redis.get(`${other}:a`)).toBe('2');
  });
});
