import type { FastifyPluginCallbackZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import { WEBHOOK_EVENT_TYPES } from '@vidqueue/core/contract';
import { DELIVERY_STATUSES } from '@vidqueue/webhooks';
import { HttpError } from '../errors.js';

const ErrorSchema = z
  .object({ error: z.object({ code: z.string(), message: z.string() }) })
  .meta({ id: 'WebhookError' });

const AttemptSchema = z.object({
  attempt: z.number().int(),
  at: z.iso.datetime(),
  duration_ms: z.number().int(),
  status: z.number().int().nullable().describe('HTTP status of the answer; null when none came'),
  error: z.string().nullable(),
  replay: z.boolean(),
});

export const DeliverySchema = z
  .object({
    id: z.string().describe('Sent as webhook-id on every attempt and replay'),
    event_type: z.enum(WEBHOOK_EVENT_TYPES),
    url: z.string(),
    video_id: z.string().nullable(),
    batch_id: z.string().nullable(),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().int(),
    created_at: z.iso.datetime(),
    last_attempt_at: z.iso.datetime().nullable(),
    delivered_at: z.iso.datetime().nullable(),
    attempt_log: z.array(AttemptSchema),
  })
  .meta({ id: 'WebhookDelivery' });

const ListQuery = z
  .object({
    video_id: z.string().min(1).max(200).optional(),
    batch_id: z.string().min(1).max(200).optional(),
  })
  .refine(
    (q) => (q.video_id === undefined) !== (q.batch_id === undefined),
    'give video_id or batch_id (one of them)',
  );

/** Webhook deliveries: every attempt of every event about a video or a batch, and replays. */
export const webhookRoutes: FastifyPluginCallbackZod = (app, _options, done) => {
  app.get(
    '/v1/webhooks/deliveries',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Webhook deliveries about a video or a batch, with every attempt',
        querystring: ListQuery,
        response: { 200: z.object({ data: z.array(DeliverySchema) }), 400: ErrorSchema, 503: ErrorSchema },
      },
    },
    async (request) => {
      const { video_id, batch_id } = request.query;
      const kind = video_id === undefined ? 'batch' : 'video';
      const id = (video_id ?? batch_id)!;
      const data = await app.withRedis(() => app.webhooks.dispatcher.store.list(kind, id));
      return { data };
    },
  );

  app.post(
    '/v1/webhooks/deliveries/:id/replay',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Send a delivery again (same webhook-id and body, new timestamp and signature)',
        description: 'Also lifts a 410 Gone mark on its URL. Answers 202 with the delivery.',
        params: z.object({ id: z.string().min(1).max(100) }),
        response: {
          202: z.object({ id: z.string(), job_id: z.string() }),
          400: ErrorSchema,
          404: ErrorSchema,
          409: ErrorSchema.describe('DELIVERY_PENDING: an attempt of it is still to come'),
          503: ErrorSchema,
        },
      },
    },
    async (request, reply) => {
      if (!app.webhooks.enabled) throw new HttpError.WebhooksDisabled();
      const replayed = await app.withRedis(() => app.webhooks.dispatcher.replay(request.params.id));
      if (!replayed) throw new HttpError.DeliveryNotFound(request.params.id);
      if (replayed === 'pending') throw new HttpError.DeliveryPending(request.params.id);
      request.log.info({ deliveryId: replayed.id }, 'webhook delivery replayed');
      return reply.code(202).send({ id: replayed.id, job_id: replayed.jobId });
    },
  );
  done();
};
