/**
 * The `webhooks` queue: one job per delivery (`whk_<deliveryId>`, a replay `whk_<deliveryId>-replay-<n>`),
 * carrying only the delivery id: the URL and body are in the delivery record, the secrets only in the
 * worker's memory. Retries: WEBHOOK_ATTEMPTS with exponential backoff from WEBHOOK_BACKOFF_MS (14 from
 * 10 s: the last about 22.7 hours after the first).
 */
import { Queue, type DefaultJobOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '@vidqueue/core/runtime';

export const WEBHOOKS_QUEUE = 'webhooks';
export const WEBHOOK_JOB_NAME = 'deliver';

export type WebhookJobData = { deliveryId: string; replay?: boolean };
export type WebhookQueue = Queue<WebhookJobData>;

export type WebhookQueueConfig = Pick<
  Config,
  | 'QUEUE_PREFIX'
  | 'WEBHOOK_ATTEMPTS'
  | 'WEBHOOK_BACKOFF_MS'
  | 'KEEP_COMPLETED_SECONDS'
  | 'KEEP_FAILED_SECONDS'
>;

export function webhookJobOptions(config: WebhookQueueConfig): DefaultJobOptions {
  return {
    attempts: config.WEBHOOK_ATTEMPTS,
    backoff: { type: 'exponential', delay: config.WEBHOOK_BACKOFF_MS },
    removeOnComplete: { age: config.KEEP_COMPLETED_SECONDS },
    removeOnFail: { age: config.KEEP_FAILED_SECONDS },
  };
}

export function webhookJobId(deliveryId: string): string {
  return `whk_${deliveryId}`;
}

export function createWebhookQueue(connection: Redis, config: WebhookQueueConfig): WebhookQueue {
  return new Queue(WEBHOOKS_QUEUE, {
    connection,
    prefix: config.QUEUE_PREFIX,
    defaultJobOptions: webhookJobOptions(config),
  });
}
