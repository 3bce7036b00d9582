import { Redis } from 'ioredis';

/** Removes every key under a test's own prefix (never FLUSHALL: the suite's Redis is shared). */
export async function deletePrefix(url: string | undefined, prefix: string): Promise<void> {
  const redis = new Redis(url ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}
