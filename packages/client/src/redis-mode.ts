import { resumeSubmissions } from '@vidqueue/core/producer';
import { ApiError } from './errors.js';
import { redisBatchMethods } from './redis-batches.js';
import { createRedisContext, redisVideoMethods, type RedisClientOptions } from './redis-client.js';
import type { VidqueueClient } from './types.js';

/** The Redis mode: BullMQ directly, the same queue, job data, ids and idempotency keys as the API. */
export function createRedisClient(options: RedisClientOptions): VidqueueClient {
  const ctx = createRedisContext(options);
  const videos = redisVideoMethods(ctx);
  const batches = redisBatchMethods(ctx);
  const httpOnly = (what: string) => (): never => {
    throw new ApiError(501, 'HTTP_ONLY', `${what} is only available over HTTP (createClient({ apiUrl }))`);
  };
  let closing: Promise<void> | undefined;
  return {
    mode: 'redis',
    enqueue: videos.enqueue,
    get: videos.get,
    waitFor: videos.waitFor,
    cancel: videos.cancel,
    enqueueMany: batches.enqueueMany,
    uploadBatch: () => Promise.resolve().then(httpOnly('uploadBatch (a file upload)')),
    webhookDeliveries: () => Promise.resolve().then(httpOnly('webhookDeliveries')),
    replayWebhookDelivery: () => Promise.resolve().then(httpOnly('replayWebhookDelivery')),
    getBatch: batches.getBatch,
    results: batches.results,
    exportResults: () => ({
      [Symbol.asyncIterator]: () => ({
        next: () => Promise.resolve().then(httpOnly('exportResults (the CSV export)')),
      }),
    }),
    cancelBatch: batches.cancelBatch,
    retryFailed: batches.retryFailed,
    resumeSubmissions: () =>
      resumeSubmissions({
        redis: ctx.redis,
        queue: ctx.queue,
        pauseKey: ctx.keys.accountPause,
        guard: (op) => ctx.withRedis(op),
      }),
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
