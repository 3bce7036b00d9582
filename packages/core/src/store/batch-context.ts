import type { Redis } from 'ioredis';
import type { vidqKeys } from '../contract/keys.js';

/** What each part of the batch store needs: the connection, the key names and the TTL of every key. */
export type BatchStoreContext = {
  redis: Redis;
  keys: ReturnType<typeof vidqKeys>;
  ttlSeconds: number;
};
