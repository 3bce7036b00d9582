import { Readable } from 'node:stream';
import { listModels } from '@vidqueue/aimlapi';
import { createRedisContext, type RedisClientOptions } from './redis-context.js';
import { mapped, mappedIterable, toClientError } from './redis-errors.js';
import { toBalanceView } from '@vidqueue/core/producer';
import { enqueueRows, estimateRows, estimateUpload, uploadFile } from './redis-upload.js';
import { createRedisWaiter } from './redis-wait.js';
import { VidqueueError } from './errors.js';
import type { VidqueueClient } from './types.js';

/** Webhook deliveries are read and replayed through the API (it holds the dispatcher and the queue's rules). */
const httpOnly = (what: string) => () =>
  Promise.reject(
    new VidqueueError(`${what} is available in HTTP mode only (createClient({ apiUrl }))`, 'HTTP_ONLY'),
  );

/**
 * The Redis mode: BullMQ directly, through the producer the API's routes use (`@vidqueue/core/producer`),
 * so the queue, job data, ids, validation, idempotency keys and refusals are the API's own. Each
 * method is an adapter: it calls the producer and turns its refusals into the SDK's errors.
 */
export function createRedisClient(options: RedisClientOptions): VidqueueClient {
  const ctx = createRedisContext(options);
  const { producer } = ctx;
  const get = (id: string) => mapped(() => producer.getVideo(id));
  const waiter = createRedisWaiter(ctx, get);
  let closing: Promise<void> | undefined;
  return {
    mode: 'redis',
    enqueue: (input, opts = {}) =>
      mapped(async () => (await producer.enqueueVideo(input, { idempotencyKey: opts.idempotencyKey })).video),
    get,
    waitFor: (id, opts) => waiter.waitFor(id, opts),
    cancel: (id) =>
      mapped(async () => {
        const view = await producer.cancelVideo(id);
        waiter.cancelled(id);
        return view;
      }),
    enqueueMany: (rows, opts = {}) => mapped(() => enqueueRows(producer, rows, opts)),
    uploadBatch: (file, opts = {}) => mapped(() => uploadFile(producer, file, opts)),
    estimate: (rows, opts = {}) => mapped(() => estimateRows(producer, rows, opts)),
    estimateFile: (file, opts = {}) => mapped(() => estimateUpload(producer, file, opts)),
    getBatch: (id) => mapped(() => producer.getBatch(id)),
    updateBatch: (id, patch) => mapped(async () => (await producer.updateBatch(id, patch)).batch),
    balance: () => mapped(async () => toBalanceView(await producer.balance())),
    results: (id) => mappedIterable(async () => (await producer.openBatchResults(id)).rows),
    exportResults: (id, format) =>
      mappedIterable(async () => bytes(await producer.exportBatchResults(id, format))),
    cancelBatch: (id) => mapped(async () => (await producer.cancelBatch(id)).batch),
    retryFailed: (id) => mapped(() => producer.retryBatch(id)),
    resumeSubmissions: () => mapped(() => producer.resume()),
    models: () => Promise.resolve(listModels(producer.ctx.catalogue, ctx.config.DEFAULT_MODEL)),
    purgeBatch: httpOnly('purgeBatch'),
    webhookDeliveries: httpOnly('webhookDeliveries'),
    replayWebhookDelivery: httpOnly('replayWebhookDelivery'),
    close() {
      closing ??= (async () => {
        await waiter.close();
        await ctx.queue.close().catch(() => undefined);
        ctx.redis.disconnect();
      })();
      return closing;
    },
  };
}

/** The export's chunks as bytes, as the HTTP mode yields them. */
async function* bytes(stream: NodeJS.ReadableStream): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of Readable.from(stream)) {
      yield typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array);
    }
  } catch (err) {
    throw toClientError(err);
  }
}
