import type { Redis } from 'ioredis';
import { WebhookTargetSchema, vidqKeys, type WebhookTarget } from '@vidqueue/core/contract';

/**
 * A batch's `webhook_url` / `webhook_events`, written by the API when the batch is created and read by
 * the worker as rows finish. Kept as long as the batch record (each read refreshes it).
 */
export function createBatchTargets(redis: Redis, prefix: string, ttlSeconds: number) {
  const keys = vidqKeys(prefix);
  return {
    async save(batchId: string, target: WebhookTarget): Promise<void> {
      await redis.set(keys.batchWebhook(batchId), JSON.stringify(target), 'EX', ttlSeconds);
    },
    async get(batchId: string): Promise<WebhookTarget | undefined> {
      const key = keys.batchWebhook(batchId);
      const raw = await redis.get(key);
      if (raw === null) return undefined;
      await redis.expire(key, ttlSeconds);
      try {
        return WebhookTargetSchema.safeParse(JSON.parse(raw)).data;
      } catch {
        return undefined;
      }
    },
    async drop(batchId: string): Promise<void> {
      await redis.del(keys.batchWebhook(batchId));
    },
  };
}
