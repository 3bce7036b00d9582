import { createHttpClient, type HttpClientOptions } from './http-client.js';
import { createRedisClient } from './redis-mode.js';
import type { RedisClientOptions } from './redis-context.js';
import type { VidqueueClient } from './types.js';

export type ClientOptions = RedisClientOptions | HttpClientOptions;

/**
 * `createClient({ redisUrl, prefix? })` (or `{ redisClusterNodes, redisPassword?, prefix? }` on a Redis
 * Cluster) talks to BullMQ directly (no API needed);
 * `createClient({ apiUrl, token? })` goes through the HTTP API. Both return the same interface.
 */
export function createClient(options: ClientOptions): VidqueueClient {
  if ('redisUrl' in options && options.redisUrl) return createRedisClient(options);
  if ('redisClusterNodes' in options && options.redisClusterNodes) return createRedisClient(options);
  if ('apiUrl' in options && options.apiUrl) return createHttpClient(options);
  throw new TypeError('createClient needs { redisUrl }, { redisClusterNodes } or { apiUrl }');
}
