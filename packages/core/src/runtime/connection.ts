import { Redis, type RedisOptions } from 'ioredis';

export type RedisRole =
  /** Workers and event listeners: retry forever, queue commands while reconnecting. */
  | 'worker'
  /** HTTP producers: fail fast while Redis is down so the API can answer 503 instead of hanging. */
  | 'producer';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export function createRedis(url: string | undefined, role: RedisRole, extra: RedisOptions = {}): Redis {
  const common: RedisOptions = {
    connectionName: `vidq-${role}`,
    retryStrategy: (times) => Math.min(200 * times, 2_000),
    ...extra,
  };
  const options: RedisOptions =
    role === 'worker'
      ? { ...common, maxRetriesPerRequest: null, enableOfflineQueue: true }
      : { ...common, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2_000 };
  return new Redis(url ?? DEFAULT_REDIS_URL, options);
}
