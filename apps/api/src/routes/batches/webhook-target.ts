import { WEBHOOK_EVENT_TYPES, WebhookTargetSchema, type WebhookTarget } from '@vidqueue/core/contract';
import { HttpError } from '../../errors.js';

/** The batch's webhook target from the query or the multipart fields (the query wins); 400 when invalid. */
export function webhookTarget(
  query: { webhook_url?: string | undefined; webhook_events?: string | undefined },
  fields: Record<string, string>,
): WebhookTarget | undefined {
  const url = query.webhook_url ?? fields.webhook_url;
  const events = query.webhook_events ?? fields.webhook_events;
  if (url === undefined) {
    if (events !== undefined) throw new HttpError.BadRequest('webhook_events needs webhook_url');
    return undefined;
  }
  const parsed = WebhookTargetSchema.safeParse({
    url,
    ...(events === undefined ? {} : { events: events.split(',').map((e) => e.trim()) }),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new HttpError.BadRequest(
      issue?.path[0] === 'url' && issue.code === 'custom'
        ? `webhook_url ${issue.message}`
        : `webhook_url must be an http(s) URL and webhook_events a comma-separated list of ${WEBHOOK_EVENT_TYPES.join(', ')}`,
    );
  }
  return parsed.data;
}
