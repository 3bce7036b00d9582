import { UnrecoverableError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config, Logger } from '@vidqueue/core/runtime';
import {
  createDeliveryStore,
  createGoneList,
  sendAttempt,
  type DeliveryStatus,
  type Signer,
  type WebhookJobData,
} from '@vidqueue/webhooks';

export type WebhookProcessorDeps = {
  config: Pick<Config, 'QUEUE_PREFIX' | 'BATCH_TTL_SECONDS' | 'WEBHOOK_TIMEOUT_MS' | 'WEBHOOK_ALLOW_PRIVATE'>;
  redis: Redis;
  /** Holds the secrets (WEBHOOK_SECRET) in memory only. */
  signer: Signer;
  logger: Logger;
};

/** A delivery that must not be tried again (gone, refused, no record): recorded, not retried. */
class DeliveryStopped extends UnrecoverableError {}

/**
 * One delivery attempt: loads the delivery (URL and body), signs it now (same `webhook-id` every
 * time, a fresh timestamp and signature), POSTs it through the address guard, and records the attempt
 * (status, time, duration, error) on the delivery and in the job's log. 2xx: delivered; 410: the URL is
 * marked gone and nothing more goes there; a refused address: failed; anything else is retried by
 * BullMQ with backoff until the attempts run out.
 */
export function createWebhookProcessor(deps: WebhookProcessorDeps) {
  const { config, signer } = deps;
  const store = createDeliveryStore(deps.redis, config.QUEUE_PREFIX, config.BATCH_TTL_SECONDS);
  const gone = createGoneList(deps.redis, config.QUEUE_PREFIX);
  const log = deps.logger.child({ component: 'webhooks' });

  return async function deliver(job: Job<WebhookJobData>): Promise<{ status: number | null }> {
    const { deliveryId, replay = false } = job.data;
    const delivery = await store.get(deliveryId);
    if (!delivery) throw new DeliveryStopped(`delivery ${deliveryId} not found (expired?)`);
    const host = new URL(delivery.url).host;
    const bound = log.child({ deliveryId, event: delivery.event_type, host });
    if (await gone.has(delivery.url)) {
      await store.setStatus(deliveryId, 'gone');
      await job.log(`not sent: ${host} answered 410 Gone earlier`);
      throw new DeliveryStopped(`${host} answered 410 Gone earlier`);
    }

    const at = new Date();
    const headers = signer.sign(deliveryId, at, delivery.body);
    const outcome = await sendAttempt(delivery.url, delivery.body, headers, {
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
      ...(config.WEBHOOK_ALLOW_PRIVATE ? { allowPrivate: true } : {}),
    });
    const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const status: DeliveryStatus =
      outcome.kind === 'ok'
        ? 'delivered'
        : outcome.kind === 'gone'
          ? 'gone'
          : outcome.kind === 'refused' || last
            ? 'failed'
            : 'pending';
    await store.recordAttempt(
      deliveryId,
      {
        attempt: delivery.attempts + 1,
        at: at.toISOString(),
        duration_ms: outcome.durationMs,
        status: outcome.status,
        error: outcome.error,
        replay,
      },
      status,
    );
    await job.log(
      `attempt ${delivery.attempts + 1}: ${outcome.status ?? '-'} in ${outcome.durationMs} ms${outcome.error ? ` (${outcome.error})` : ''}`,
    );

    switch (outcome.kind) {
      case 'ok':
        bound.info({ status: outcome.status, durationMs: outcome.durationMs }, 'webhook delivered');
        return { status: outcome.status };
      case 'gone':
        await gone.mark(delivery.url);
        bound.warn('webhook receiver answered 410 Gone: no more deliveries to that URL');
        throw new DeliveryStopped(`${host} answered 410 Gone`);
      case 'refused':
        bound.warn({ error: outcome.error }, 'webhook refused');
        throw new DeliveryStopped(outcome.error ?? 'refused');
      case 'retry':
        bound.warn(
          { status: outcome.status, error: outcome.error, attempt: job.attemptsMade + 1 },
          'webhook attempt failed',
        );
        throw new Error(outcome.error ?? 'delivery failed');
    }
  };
}
