import type { RedisConnection } from '../runtime/connection.js';
import type { vidqKeys } from '../contract/keys.js';

/** What each part of the batch store needs: the connection, the key names and the TTL of every key. */
export type BatchStoreContext = {
  redis: RedisConnection;
  keys: ReturnType<typeof vidqKeys>;
  ttlSeconds: number;
};
