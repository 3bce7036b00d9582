import type { Worker } from 'bullmq';
import {
  createArchiveQueue,
  createArchiveStore,
  createBatchStore,
  createGenerationQueues,
  type ArchiveQueue,
} from '@vidqueue/core/store';
import { publicBaseUrl, type Config, type Logger, type RedisConnection } from '@vidqueue/core/runtime';
import { storageFromSettings, type Storage } from '@vidqueue/storage';
import {
  createSigner,
  createWebhookDispatcher,
  createWebhookQueue,
  type WebhookQueue,
} from '@vidqueue/webhooks';
import { bullmqTelemetry } from '@vidqueue/telemetry/bullmq';
import { createArchiveHooks } from './archive/archive-hooks.js';
import { providerAddressPolicy } from './archive/provider-address-policy.js';
import { startArchiveWorker } from './archive/start-archive-worker.js';
import { composeHooks, type ProcessorHooks } from './hooks.js';
import { startWebhookWorker } from './webhooks/start-webhook-worker.js';
import { createWebhookHooks } from './webhooks/webhook-hooks.js';

export type SideEffects = {
  /** Hooks to run before the batch hooks (the archive's `pending` mark, the video's own event). */
  before: ProcessorHooks;
  /** Hooks to run after them (`batch.completed`, which reads the batch record). */
  after: ProcessorHooks | undefined;
  workers: Worker[];
  close(): Promise<void>;
};

/**
 * What happens after a generation, each on its own queue with its own BullMQ Worker beside the
 * generation worker: the archive (when STORAGE_URL is not `none`) and signed webhook deliveries
 * (when WEBHOOK_SECRET is set). `storage: null` turns the archive off whatever the config says.
 */
export async function startSideEffects(deps: {
  config: Config;
  connection: RedisConnection;
  logger: Logger;
  storage?: Storage | null;
}): Promise<SideEffects> {
  const { config, connection, logger } = deps;
  const storage = deps.storage === null ? undefined : (deps.storage ?? (await storageFromSettings(config)));
  const ownsStorage = deps.storage === undefined;
  const prefix = config.QUEUE_PREFIX;
  const queues: (ArchiveQueue | WebhookQueue | ReturnType<typeof createGenerationQueues>)[] = [];
  const workers: Worker[] = [];

  const archiveStore = createArchiveStore(connection, prefix, {
    ttlSeconds: config.BATCH_TTL_SECONDS,
    retention: config.ARCHIVE_RETENTION,
  });
  const telemetry = bullmqTelemetry();
  const archiveQueue = storage ? createArchiveQueue(connection, config, { telemetry }) : undefined;
  if (archiveQueue) queues.push(archiveQueue);

  let webhookHooks: ReturnType<typeof createWebhookHooks> | undefined;
  if (config.WEBHOOK_SECRET) {
    const webhookQueue = createWebhookQueue(connection, config);
    const generations = createGenerationQueues(connection, config, { telemetry });
    queues.push(webhookQueue, generations);
    webhookHooks = createWebhookHooks({
      redis: connection,
      prefix,
      ttlSeconds: config.BATCH_TTL_SECONDS,
      dispatcher: createWebhookDispatcher({ redis: connection, queue: webhookQueue, config }),
      batches: createBatchStore(connection, prefix, config.BATCH_TTL_SECONDS),
      ...(storage ? { archive: { store: archiveStore, queue: generations } } : {}),
      publicBase: publicBaseUrl(config),
      logger,
    });
    workers.push(
      await startWebhookWorker({ config, connection, signer: createSigner(config.WEBHOOK_SECRET), logger }),
    );
  } else if (config.WEBHOOK_URL) {
    logger.warn(
      'WEBHOOK_URL is set but WEBHOOK_SECRET is not: no webhook is sent (deliveries must be signed)',
    );
  }

  if (storage && archiveQueue) {
    workers.push(
      await startArchiveWorker({
        config,
        connection,
        queue: archiveQueue,
        storage,
        store: archiveStore,
        policy: await providerAddressPolicy(config.AIMLAPI_BASE_URL),
        logger,
        ...(webhookHooks ? { onSettled: webhookHooks.archive } : {}),
      }),
    );
  }

  return {
    before: composeHooks(
      archiveQueue ? createArchiveHooks({ queue: archiveQueue, store: archiveStore }) : undefined,
      webhookHooks?.videoEvents,
    ),
    after: webhookHooks?.batchEvents,
    workers,
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all(queues.map((q) => q.close().catch(() => undefined)));
      if (ownsStorage) await storage?.close();
    },
  };
}
