import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config, Logger } from '@vidqueue/core/runtime';
import { WEBHOOKS_QUEUE, type Signer, type WebhookJobData } from '@vidqueue/webhooks';
import { createWebhookProcessor } from './webhook-processor.js';

/** The `webhooks` queue's own BullMQ Worker (concurrency WEBHOOK_CONCURRENCY) beside the generation worker. */
export async function startWebhookWorker(deps: {
  config: Config;
  connection: Redis;
  signer: Signer;
  logger: Logger;
}): Promise<Worker> {
  const { config, logger } = deps;
  const deliver = createWebhookProcessor({ config, redis: deps.connection, signer: deps.signer, logger });
  const worker = new Worker(WEBHOOKS_QUEUE, (job: Job<WebhookJobData>) => deliver(job), {
    connection: deps.connection,
    prefix: config.QUEUE_PREFIX,
    concurrency: config.WEBHOOK_CONCURRENCY,
  });
  worker.on('error', (err) => logger.error({ err }, 'webhook worker error'));
  await worker.waitUntilReady();
  logger.info(
    {
      queue: WEBHOOKS_QUEUE,
      concurrency: config.WEBHOOK_CONCURRENCY,
      secrets: config.WEBHOOK_SECRET?.length ?? 0,
      globalUrl: config.WEBHOOK_URL === undefined ? null : new URL(config.WEBHOOK_URL).host,
    },
    'webhook worker ready',
  );
  return worker;
}
