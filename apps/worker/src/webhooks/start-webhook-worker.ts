import { Worker, type Job } from 'bullmq';
import type { Config, Logger, RedisConnection } from '@vidqueue/core/runtime';
import { WEBHOOKS_QUEUE, type Signer, type WebhookJobData } from '@vidqueue/webhooks';
import { withSpan } from '@vidqueue/telemetry';
import { bullmqTelemetry } from '@vidqueue/telemetry/bullmq';
import { createWebhookProcessor } from './webhook-processor.js';

/** The `webhooks` queue's own BullMQ Worker (concurrency WEBHOOK_CONCURRENCY) beside the generation worker. */
export async function startWebhookWorker(deps: {
  config: Config;
  connection: RedisConnection;
  signer: Signer;
  logger: Logger;
}): Promise<Worker> {
  const { config, logger } = deps;
  const deliver = createWebhookProcessor({ config, redis: deps.connection, signer: deps.signer, logger });
  // Span `vidq.webhook.deliver` per attempt: the delivery id and the receiver's answer, never its URL
  // (a receiver's URL can carry a token) or the body.
  const traced = (job: Job<WebhookJobData>) =>
    withSpan(
      'vidq.webhook.deliver',
      { attributes: { 'vidq.job_id': job.id ?? '', 'vidq.webhook.delivery_id': job.data.deliveryId } },
      async (span) => {
        const result = await deliver(job);
        if (result.status !== null) span?.setAttribute('http.response.status_code', result.status);
        return result;
      },
    );
  const worker = new Worker(WEBHOOKS_QUEUE, traced, {
    connection: deps.connection,
    prefix: config.QUEUE_PREFIX,
    concurrency: config.WEBHOOK_CONCURRENCY,
    telemetry: bullmqTelemetry(),
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
