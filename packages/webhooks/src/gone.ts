import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { vidqKeys } from '@vidqueue/core/contract';

/** How long a 410 Gone stops deliveries to a URL (a replay lifts it at once). */
export const GONE_TTL_SECONDS = 30 * 24 * 3600;

const hashUrl = (url: string) => createHash('sha256').update(url).digest('hex');

/** URLs whose receiver answered `410 Gone`: nothing more is sent there (keyed by the URL's SHA-256). */
export function createGoneList(redis: Redis, prefix: string) {
  const keys = vidqKeys(prefix);
  return {
    async mark(url: string): Promise<void> {
      await redis.set(keys.webhookGone(hashUrl(url)), new Date().toISOString(), 'EX', GONE_TTL_SECONDS);
    },
    async has(url: string): Promise<boolean> {
      return (await redis.exists(keys.webhookGone(hashUrl(url)))) === 1;
    },
    async clear(url: string): Promise<void> {
      await redis.del(keys.webhookGone(hashUrl(url)));
    },
  };
}
