import type { WebhookEventType } from '@vidqueue/core/contract';

/**
 * The body of every delivery (Standard Webhooks' recommended envelope): `type`, `timestamp` (when the
 * event happened, ISO 8601) and `data` (`video.*`: the view of GET /v1/videos/:id; `batch.completed`:
 * the view of GET /v1/batches/:id).
 */
export type WebhookEvent<T = unknown> = { type: WebhookEventType; timestamp: string; data: T };

export function buildEvent<T>(type: WebhookEventType, data: T, at: Date = new Date()): WebhookEvent<T> {
  return { type, timestamp: at.toISOString(), data };
}
