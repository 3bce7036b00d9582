import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import {
  createArchiveQueue,
  createArchiveStore,
  type ArchiveQueue,
  type ArchiveStore,
} from '@vidqueue/core/store';
import type { Config } from '@vidqueue/core/runtime';
import { storageFromSettings, type Storage } from '@vidqueue/storage';
import {
  createBatchTargets,
  createWebhookDispatcher,
  createWebhookQueue,
  type WebhookDispatcher,
  type WebhookQueue,
} from '@vidqueue/webhooks';

declare module 'fastify' {
  interface FastifyInstance {
    /** Archived videos: where they are (undefined when STORAGE_URL is none), their records and queue. */
    archive: {
      storage: Storage | undefined;
      store: ArchiveStore;
      queue: ArchiveQueue;
      /** Base of our content URLs: PUBLIC_URL, else the address the request came to. */
      publicBase(request: FastifyRequest): string;
    };
    /** Webhooks: the queue (shown in Bull Board), deliveries and replays, and batches' targets. */
    webhooks: {
      queue: WebhookQueue;
      dispatcher: WebhookDispatcher;
      targets: ReturnType<typeof createBatchTargets>;
      /** False without WEBHOOK_SECRET: deliveries could not be signed, so `webhook_url` is refused. */
      enabled: boolean;
    };
  }
}

export type SideEffectsOptions = {
  config: Config;
  /** Storage to serve from instead of STORAGE_URL's (the caller closes it); null for none. */
  storage?: Storage | null;
};

/** The archive and webhook side of the API: queues for Bull Board, records to read, storage to serve from. */
export const sideEffectsPlugin = fp(
  async (app: FastifyInstance, options: SideEffectsOptions) => {
    const { config } = options;
    const storage =
      options.storage === null ? undefined : (options.storage ?? (await storageFromSettings(config)));
    const ownsStorage = options.storage === undefined;
    const archiveQueue = createArchiveQueue(app.redis, config);
    const webhookQueue = createWebhookQueue(app.redis, config);
    for (const q of [archiveQueue, webhookQueue])
      q.on('error', (err) => app.log.debug({ err }, 'queue error'));

    app.decorate('archive', {
      storage,
      store: createArchiveStore(app.redis, config.QUEUE_PREFIX, {
        ttlSeconds: config.BATCH_TTL_SECONDS,
        retention: config.ARCHIVE_RETENTION,
      }),
      queue: archiveQueue,
      publicBase: (request: FastifyRequest) =>
        config.PUBLIC_URL?.replace(/\/+$/, '') ?? `${request.protocol}://${request.host}`,
    });
    app.decorate('webhooks', {
      queue: webhookQueue,
      dispatcher: createWebhookDispatcher({ redis: app.redis, queue: webhookQueue, config }),
      targets: createBatchTargets(app.redis, config.QUEUE_PREFIX, config.BATCH_TTL_SECONDS),
      enabled: config.WEBHOOK_SECRET !== undefined,
    });
    app.addHook('onClose', async () => {
      await Promise.all([archiveQueue.close(), webhookQueue.close()].map((p) => p.catch(() => undefined)));
      if (ownsStorage) await storage?.close();
    });
  },
  { name: 'vidq-side-effects', dependencies: ['vidq-producer'] },
);
