/** A request's `webhook_url` refused when no delivery could reach it (see `runtime/webhook-address.ts`). */
import type { WebhookTarget } from '../contract/webhook-target.js';
import { webhookUrlRefusal } from '../runtime/webhook-address.js';
import { producerError } from './errors.js';

/** Throws VALIDATION_ERROR on `path` when the target's URL could never be delivered to. */
export function checkWebhookTarget(
  target: WebhookTarget | undefined,
  allowPrivate: boolean,
  path = 'webhook_url',
): void {
  if (target === undefined) return;
  const refusal = webhookUrlRefusal(target.url, allowPrivate);
  if (refusal !== undefined) throw producerError.validation([{ path, message: refusal }]);
}
