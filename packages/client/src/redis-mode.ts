import { ApiError } from './errors.js';
import { createRedisContext, redisVideoMethods, type RedisClientOptions } from './redis-client.js';
import type { VidqueueClient } from './types.js';

/** The Redis mode: BullMQ directly, the same queue, job data, ids and idempotency keys as the API. */
export function createRedisClient(options: RedisClientOptions): VidqueueClient {
  const ctx = createRedisContext(options);
  const videos = redisVideoMethods(ctx);
  const noBatches = (): never => {
    throw new ApiError(
      501,
      'NOT_SUPPORTED',
      'Batches are not available in the Redis mode yet; use { apiUrl }',
    );
  };
  let closing: Promise<void> | undefined;
  return {
    mode: 'redis',
    enqueue: videos.enqueue,
    get: videos.get,
    waitFor: videos.waitFor,
    cancel: videos.cancel,
    enqueueMany: () => Promise.resolve().then(noBatches),
    uploadBatch: () => Promise.resolve().then(noBatches),
    getBatch: () => Promise.resolve().then(noBatches),
    results: () => ({
      [Symbol.asyncIterator]: () => ({ next: () => Promise.resolve().then(noBatches) }),
    }),
    exportResults: () => ({
      [Symbol.asyncIterator]: () => ({ next: () => Promise.resolve().then(noBatches) }),
    }),
    cancelBatch: () => Promise.resolve().then(noBatches),
    retryFailed: () => Promise.resolve().then(noBatches),
    close() {
      closing ??= (async () => {
        await videos.closeEvents();
        await ctx.queue.close().catch(() => undefined);
        ctx.redis.disconnect();
      })();
      return closing;
    },
  };
}
