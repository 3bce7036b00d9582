import { createHash } from 'node:crypto';
import { wantsEvent, type WebhookEventType, type WebhookTarget } from '@vidqueue/core/contract';
import type { Config, RedisConnection } from '@vidqueue/core/runtime';
import { createDeliveryStore, type DeliveryStore } from './delivery-store.js';
import { buildEvent } from './events.js';
import { createGoneList } from './gone.js';
import { WEBHOOK_JOB_NAME, webhookJobId, type WebhookQueue } from './webhook-queue.js';

export type DispatcherConfig = Pick<
  Config,
  'QUEUE_PREFIX' | 'WEBHOOK_URL' | 'WEBHOOK_EVENTS' | 'BATCH_TTL_SECONDS'
>;

/** What an event is about, and a key naming this occurrence (the same on a replayed hook). */
export type EventSubject = { videoId?: string; batchId?: string; occurrence: string };

export type WebhookDispatcher = ReturnType<typeof createWebhookDispatcher>;

/**
 * Turns an event into deliveries: one per target URL that wants it (WEBHOOK_URL with WEBHOOK_EVENTS,
 * and the request's own `webhook_url` with its `webhook_events`), each recorded and queued. The
 * delivery id is derived from the occurrence and the URL, so a hook replayed after a crash queues
 * nothing twice and a receiver sees one `webhook-id` per event.
 */
export function createWebhookDispatcher(deps: {
  redis: RedisConnection;
  queue: WebhookQueue;
  config: DispatcherConfig;
  store?: DeliveryStore;
}) {
  const { redis, queue, config } = deps;
  const store = deps.store ?? createDeliveryStore(redis, config.QUEUE_PREFIX, config.BATCH_TTL_SECONDS);
  const gone = createGoneList(redis, config.QUEUE_PREFIX);
  const global: WebhookTarget | undefined = config.WEBHOOK_URL
    ? { url: config.WEBHOOK_URL, ...(config.WEBHOOK_EVENTS ? { events: config.WEBHOOK_EVENTS } : {}) }
    : undefined;

  return {
    store,
    /** True when some event could go somewhere (a global URL, or requests may name one). */
    hasGlobalTarget: global !== undefined,

    /** Records and queues the deliveries of one event; resolves with their ids. */
    async emit(
      type: WebhookEventType,
      data: unknown,
      subject: EventSubject,
      requestTarget?: WebhookTarget,
    ): Promise<string[]> {
      const targets = [global, requestTarget].filter(
        (t): t is WebhookTarget => t !== undefined && wantsEvent(t, type),
      );
      const urls = [...new Set(targets.map((t) => t.url))];
      if (urls.length === 0) return [];
      const body = JSON.stringify(buildEvent(type, data));
      const ids: string[] = [];
      for (const url of urls) {
        const id = `msg_${createHash('sha256').update(`${type}|${subject.occurrence}|${url}`).digest('hex').slice(0, 24)}`;
        await store.create({
          id,
          event_type: type,
          url,
          video_id: subject.videoId ?? null,
          batch_id: subject.batchId ?? null,
          body,
        });
        await queue.add(WEBHOOK_JOB_NAME, { deliveryId: id }, { jobId: webhookJobId(id) });
        ids.push(id);
      }
      return ids;
    },

    /**
     * Sends a delivery again, with the same `webhook-id` and body (a new timestamp and signature):
     * undefined when there is no such delivery, `pending` (nothing queued) while an attempt of it is
     * still to come. Lifts a 410 mark on its URL (asking again is explicit). One replay per attempt made:
     * the job id carries the attempt count, so replays asked at once queue one job (BullMQ keeps job ids
     * unique), and a delivery cannot be turned into a stream of requests to someone else's URL.
     */
    async replay(deliveryId: string): Promise<{ id: string; jobId: string } | 'pending' | undefined> {
      const delivery = await store.get(deliveryId);
      if (!delivery) return undefined;
      if (delivery.status === 'pending') return 'pending';
      await gone.clear(delivery.url);
      await store.setStatus(deliveryId, 'pending');
      let jobId = `${webhookJobId(deliveryId)}-replay-${delivery.attempts}`;
      const job = await queue.add(WEBHOOK_JOB_NAME, { deliveryId, replay: true }, { jobId });
      // A kept job of an earlier replay that ended without an attempt holds that id: a new one goes out.
      const state = await job.getState();
      if (state === 'completed' || state === 'failed') {
        jobId = `${jobId}-${Date.now()}`;
        await queue.add(WEBHOOK_JOB_NAME, { deliveryId, replay: true }, { jobId });
      }
      return { id: deliveryId, jobId };
    },
  };
}
