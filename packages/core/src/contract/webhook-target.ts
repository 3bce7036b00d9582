import { z } from 'zod';

export const WEBHOOK_EVENT_TYPES = ['video.completed', 'video.failed', 'batch.completed'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/**
 * A request's `webhook_url`: http(s), without a user name or password. The URL is kept with its job or
 * batch (Redis, Bull Board, the delivery records), where no secret may be; a receiver tells our events
 * by their signature.
 */
export const WebhookUrlSchema = z
  .url({ protocol: /^https?$/ })
  .max(2000)
  .refine(
    (value) => {
      try {
        const url = new URL(value);
        return url.username === '' && url.password === '';
      } catch {
        return true; // not a URL: z.url() says so
      }
    },
    {
      message:
        'must not carry a user name or password (it is stored with the job); receivers check the signature instead',
    },
  );

/** Where a request's events go (`webhook_url`, `webhook_events`); kept with its job or batch, never a secret. */
export const WebhookTargetSchema = z.object({
  url: WebhookUrlSchema,
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
