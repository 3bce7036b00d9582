/**
 * The record of every webhook delivery and each of its attempts, in Redis beside the queue (so they
 * outlive the job and can be listed per video or batch): a JSON delivery, a list of JSON attempts and
 * an index per video and per batch. Kept `ttlSeconds` after the last change. Never holds a secret;
 * the body is the signed payload, kept so a delivery can be replayed.
 */
import { randomBytes } from 'node:crypto';
import type { RedisConnection } from '@vidqueue/core/runtime';
import { vidqKeys, type WebhookEventType } from '@vidqueue/core/contract';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'gone'] as const;
/** `pending`: attempts left; `delivered`: a 2xx; `failed`: attempts used up or refused; `gone`: the receiver answered 410. */
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export type DeliveryAttempt = {
  attempt: number;
  at: string;
  duration_ms: number;
  /** HTTP status of the answer, null when there was none (timeout, refused address, network). */
  status: number | null;
  /** Why it failed: `http_<status>`, or a safe-http code with its message (never the URL's path or query). */
  error: string | null;
  replay: boolean;
};

export type Delivery = {
  id: string;
  event_type: WebhookEventType;
  url: string;
  video_id: string | null;
  batch_id: string | null;
  status: DeliveryStatus;
  attempts: number;
  created_at: string;
  last_attempt_at: string | null;
  delivered_at: string | null;
};

export type NewDelivery = Pick<Delivery, 'id' | 'event_type' | 'url' | 'video_id' | 'batch_id'> & {
  body: string;
};

/** Attempts kept per delivery, the latest (its own retries are at most WEBHOOK_ATTEMPTS; replays add one each). */
export const MAX_ATTEMPTS_KEPT = 100;

/** `msg_` + 24 hex: the delivery id, sent as `webhook-id` on every attempt and every replay. */
export function newDeliveryId(): string {
  return `msg_${randomBytes(12).toString('hex')}`;
}

export type DeliveryStore = ReturnType<typeof createDeliveryStore>;

export function createDeliveryStore(redis: RedisConnection, prefix: string, ttlSeconds: number) {
  const keys = vidqKeys(prefix);

  async function get(id: string): Promise<(Delivery & { body: string }) | undefined> {
    const raw = await redis.get(keys.webhookDelivery(id));
    return raw === null ? undefined : (JSON.parse(raw) as Delivery & { body: string });
  }

  async function put(delivery: Delivery & { body: string }): Promise<void> {
    await redis.set(keys.webhookDelivery(delivery.id), JSON.stringify(delivery), 'EX', ttlSeconds);
  }

  return {
    get,

    /** Records a new delivery; false (and nothing written) when one with this id exists (a replayed hook). */
    async create(input: NewDelivery, now = new Date()): Promise<boolean> {
      const delivery: Delivery & { body: string } = {
        ...input,
        status: 'pending',
        attempts: 0,
        created_at: now.toISOString(),
        last_attempt_at: null,
        delivered_at: null,
      };
      const created = await redis.set(
        keys.webhookDelivery(input.id),
        JSON.stringify(delivery),
        'EX',
        ttlSeconds,
        'NX',
      );
      if (created === null) return false;
      for (const [kind, id] of [
        ['video', input.video_id],
        ['batch', input.batch_id],
      ] as const) {
        if (id === null) continue;
        await redis.zadd(keys.webhookIndex(kind, id), now.getTime(), input.id);
        await redis.expire(keys.webhookIndex(kind, id), ttlSeconds);
      }
      return true;
    },

    /** Appends one attempt and moves the delivery to `status`. */
    async recordAttempt(id: string, attempt: DeliveryAttempt, status: DeliveryStatus): Promise<void> {
      const delivery = await get(id);
      if (!delivery) return;
      await redis.rpush(keys.webhookAttempts(id), JSON.stringify(attempt));
      await redis.ltrim(keys.webhookAttempts(id), -MAX_ATTEMPTS_KEPT, -1);
      await redis.expire(keys.webhookAttempts(id), ttlSeconds);
      await put({
        ...delivery,
        status,
        attempts: delivery.attempts + 1,
        last_attempt_at: attempt.at,
        delivered_at: status === 'delivered' ? attempt.at : delivery.delivered_at,
      });
    },

    /** Sets the status without an attempt (a replay reopens it, a 410 mark stops it before sending). */
    async setStatus(id: string, status: DeliveryStatus): Promise<void> {
      const delivery = await get(id);
      if (delivery) await put({ ...delivery, status });
    },

    async attempts(id: string): Promise<DeliveryAttempt[]> {
      const raw = await redis.lrange(keys.webhookAttempts(id), 0, -1);
      return raw.map((a) => JSON.parse(a) as DeliveryAttempt);
    },

    /** Deliveries about one video or batch, oldest first, with their attempts (at most `limit`). */
    async list(
      kind: 'video' | 'batch',
      id: string,
      limit = 100,
    ): Promise<(Delivery & { attempt_log: DeliveryAttempt[] })[]> {
      const ids = await redis.zrange(keys.webhookIndex(kind, id), 0, limit - 1);
      const out: (Delivery & { attempt_log: DeliveryAttempt[] })[] = [];
      for (const deliveryId of ids) {
        const found = await get(deliveryId);
        if (!found) continue;
        const { body: _body, ...delivery } = found;
        out.push({ ...delivery, attempt_log: await this.attempts(deliveryId) });
      }
      return out;
    },
  };
}
