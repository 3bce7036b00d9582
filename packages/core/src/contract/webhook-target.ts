import { z } from 'zod';

export const WEBHOOK_EVENT_TYPES = ['video.completed', 'video.failed', 'batch.completed'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Where a request's events go (`webhook_url`, `webhook_events`); kept with its job or batch, never a secret. */
export const WebhookTargetSchema = z.object({
  url: z.url({ protocol: /^https?$/ }).max(2000),
  /** Only these events; absent: all. */
  events: z.array(z.enum(WEBHOOK_EVENT_TYPES)).min(1).optional(),
});
export type WebhookTarget = z.infer<typeof WebhookTargetSchema>;

export function wantsEvent(
  target: { events?: readonly string[] | undefined },
  type: WebhookEventType,
): boolean {
  return target.events === undefined || target.events.includes(type);
}
