import type { FastifyPluginCallbackZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import {
  IdempotencyKeySchema,
  QueuedVideoSchema,
  VideoViewSchema,
  videoRequestSchema,
} from '@vidqueue/core/contract';
import { withArchive } from '@vidqueue/core/contract';
import type { Config } from '@vidqueue/core/runtime';
import { HttpError } from '../errors.js';
import { BatchErrorSchema, ErrorSchema } from './error-schema.js';

const IdParams = z.object({ id: z.string().min(1).max(200).describe('The video id (vid_…)') });

const IdempotencyHeaders = z.looseObject({
  'idempotency-key': IdempotencyKeySchema.optional().describe(
    'Repeat a POST with the same key within 24 hours to get the same video instead of a new one',
  ),
});

/** `/v1/videos`: an adapter over the producer's video operations (which throw its catalogue's errors). */
export const videoRoutes: FastifyPluginCallbackZod<{ config: Config }> = (app, { config }, done) => {
  const { producer } = app;

  app.post(
    '/v1/videos',
    {
      schema: {
        tags: ['videos'],
        summary: 'Queue one prompt for generation',
        description:
          "Answers 202 with the new video id and its `estimated_cost_usd` (the provider catalogue's price of the request; null when it cannot be told ahead). With an Idempotency-Key seen in the last 24 hours, answers 200 with the video made for the first request and enqueues nothing. " +
          'With `max_cost_usd`: 422 MAX_COST_EXCEEDED when the estimate is over it, 422 UNPRICED_UNDER_CAP when it cannot be priced (also under SPEND_LIMIT_USD_PER_DAY).',
        headers: IdempotencyHeaders,
        // The producer checks the same schema again, then the model's parameters.
        body: videoRequestSchema({
          defaultModel: config.DEFAULT_MODEL,
          maxPromptLength: config.MAX_PROMPT_LENGTH,
        }),
        response: {
          200: QueuedVideoSchema,
          202: QueuedVideoSchema,
          400: ErrorSchema,
          409: ErrorSchema,
          422: BatchErrorSchema,
          503: ErrorSchema,
        },
      },
    },
    async (request, reply) => {
      if (request.body.webhook_url !== undefined && !app.webhooks.enabled)
        throw new HttpError.WebhooksDisabled();
      const { replayed, video } = await producer.enqueueVideo(request.body, {
        idempotencyKey: request.headers['idempotency-key'],
      });
      reply.header('location', `/v1/videos/${video.id}`);
      if (replayed) {
        request.log.info({ videoId: video.id }, 'idempotent repeat: nothing enqueued');
        return reply.code(200).header('idempotent-replayed', 'true').send(video);
      }
      request.log.info(
        { videoId: video.id, model: video.model, estimatedCostUsd: video.estimated_cost_usd },
        'video queued',
      );
      return reply.code(202).send(video);
    },
  );

  app.get(
    '/v1/videos/:id',
    {
      schema: {
        tags: ['videos'],
        summary: 'Where a video stands: queued, generating, completed (with video_url), failed or cancelled',
        params: IdParams,
        response: { 200: VideoViewSchema, 404: ErrorSchema, 503: ErrorSchema },
      },
    },
    async (request) => {
      // The view with the video's archive: our content URL once archived.
      const view = await producer.getVideo(request.params.id);
      const archive =
        view.status === 'completed' ? await app.withRedis(() => app.archive.store.get(view.id)) : undefined;
      return withArchive(view, archive, app.archive.publicBase(request));
    },
  );

  app.delete(
    '/v1/videos/:id',
    {
      schema: {
        tags: ['videos'],
        summary: 'Cancel a video that has not finished',
        description:
          'Answers 202 with the video, now cancelled; the worker stops it at its next step. 409 when it has already completed or failed.',
        params: IdParams,
        response: { 202: VideoViewSchema, 404: ErrorSchema, 409: ErrorSchema, 503: ErrorSchema },
      },
    },
    async (request, reply) => {
      const view = await producer.cancelVideo(request.params.id);
      request.log.info({ videoId: view.id }, 'video cancel requested');
      return reply.code(202).send(view);
    },
  );
  done();
};
