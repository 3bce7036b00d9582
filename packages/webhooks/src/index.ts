export {
  DELIVERY_STATUSES,
  createDeliveryStore,
  newDeliveryId,
  type Delivery,
  type DeliveryAttempt,
  type DeliveryStatus,
  type DeliveryStore,
  type NewDelivery,
} from './delivery-store.js';
export {
  createWebhookDispatcher,
  type DispatcherConfig,
  type EventSubject,
  type WebhookDispatcher,
} from './dispatcher.js';
export { buildEvent, type WebhookEvent } from './events.js';
export { GONE_TTL_SECONDS, createGoneList } from './gone.js';
export { sendAttempt, type AttemptOutcome, type SendOptions } from './send.js';
export { createSigner, newWebhookSecret, type Signer, type WebhookHeaders } from './signer.js';
export { createBatchTargets } from './targets.js';
export {
  WEBHOOKS_QUEUE,
  WEBHOOK_JOB_NAME,
  createWebhookQueue,
  webhookJobId,
  webhookJobOptions,
  type WebhookJobData,
  type WebhookQueue,
  type WebhookQueueConfig,
} from './webhook-queue.js';
