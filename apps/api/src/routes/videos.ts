import type { FastifyPluginCallbackZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import { validateGenerationParams } from '@vidqueue/aimlapi';
import {
  CANCEL_TTL_SECONDS,
  IDEMPOTENCY_TTL_SECONDS,
  IdempotencyKeySchema,
  MetadataSchema,
  type NewGenerationJobData,
} from '@vidqueue/core/contract';
import type { Config } from '@vidqueue/core/runtime';
import { createVideoOps, type LoadedVideo, type VideoOps } from '@vidqueue/core/producer';
import { ApiError, validationError } from '../errors.js';
import { VIDEO_STATUSES, VideoViewSchema, type VideoView } from '../video-view.js';

export { CANCEL_TTL_SECONDS, IDEMPOTENCY_TTL_SECONDS };

const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .meta({ id: 'Error' });

const QueuedSchema = z
  .object({
    id: z.string(),
    status: z.enum(VIDEO_STATUSES),
    model: z.string(),
    created_at: z.iso.datetime(),
  })
  .meta({ id: 'QueuedVideo' });

const IdParams = z.object({ id: z.string().min(1).max(200).describe('The video id (vid_…)') });

function createBodySchema(config: Config) {
  return z.strictObject({
    prompt: z
      .string()
      .max(config.MAX_PROMPT_LENGTH)
      .refine((p) => p.trim().length > 0, 'must not be empty')
      .describe('What the video shows'),
    model: z
      .string()
      .min(1)
      .optional()
      .describe(`Model id; default ${config.DEFAULT_MODEL}. See GET /v1/models`),
    aspect_ratio: z.string().optional().describe('For Kandinsky 5: 3:2, 1:1 or 2:3'),
    duration: z.number().int().optional().describe('Seconds of video; for Kandinsky 5: 5 or 10'),
    num_inference_steps: z.number().int().optional().describe('Sampling steps (no published range)'),
    custom_id: z.string().min(1).max(200).optional().describe('Your own reference, returned as is'),
    metadata: MetadataSchema.optional().describe('Flat key/value pairs, returned as is'),
  });
}

const IdempotencyHeaders = z.looseObject({
  'idempotency-key': IdempotencyKeySchema.optional().describe(
    'Repeat a POST with the same key within 24 hours to get the same video instead of a new one',
  ),
});

/** The video, or 404. */
async function requireVideo(ops: VideoOps, id: string): Promise<LoadedVideo> {
  const found = await ops.load(id);
  if (!found) throw new ApiError.VideoNotFound(id);
  return found;
}

function queuedBody(view: VideoView): z.infer<typeof QueuedSchema> {
  return { id: view.id, status: view.status, model: view.model, created_at: view.created_at };
}

export const videoRoutes: FastifyPluginCallbackZod<{ config: Config }> = (app, { config }, done) => {
  const Body = createBodySchema(config);
  const ops = createVideoOps({
    redis: app.redis,
    queue: app.queue,
    keys: app.keys,
    guard: (op) => app.withRedis(op),
  });

  app.post(
    '/v1/videos',
    {
      schema: {
        tags: ['videos'],
        summary: 'Queue one prompt for generation',
        description:
          'Answers 202 with the new video id. With an Idempotency-Key seen in the last 24 hours, answers 200 with the video made for the first request and enqueues nothing.',
        headers: IdempotencyHeaders,
        body: Body,
        response: {
          200: QueuedSchema,
          202: QueuedSchema,
          400: ErrorSchema,
          409: ErrorSchema,
          503: ErrorSchema,
        },
      },
    },
    async (request, reply) => {
      const { custom_id, metadata, ...params } = request.body;
      const checked = validateGenerationParams(params, {
        defaultModel: config.DEFAULT_MODEL,
        maxPromptLength: config.MAX_PROMPT_LENGTH,
      });
      if (!checked.ok) throw validationError(checked.issues);
      const data: NewGenerationJobData = {
        input: checked.value,
        ...(custom_id === undefined ? {} : { customId: custom_id }),
        ...(metadata === undefined ? {} : { metadata }),
      };

      const enqueued = await ops.enqueue(data, request.headers['idempotency-key']);
      if (enqueued === 'mismatch') throw new ApiError.IdempotencyMismatch();
      if (enqueued === 'unavailable') throw new ApiError.IdempotencyUnavailable();
      if (enqueued.replayed) {
        request.log.info({ videoId: enqueued.id }, 'idempotent repeat: nothing enqueued');
        return reply
          .code(200)
          .header('location', `/v1/videos/${enqueued.id}`)
          .header('idempotent-replayed', 'true')
          .send(queuedBody(enqueued.view));
      }
      const { id, job } = enqueued;
      request.log.info({ videoId: id, model: data.input.model }, 'video queued');
      return reply
        .code(202)
        .header('location', `/v1/videos/${id}`)
        .send({
          id,
          status: 'queued' as const,
          model: data.input.model,
          created_at: new Date(job.timestamp).toISOString(),
        });
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
    async (request) => (await requireVideo(ops, request.params.id)).view,
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
      const { id } = request.params;
      const cancelled = await ops.cancel(id);
      if (!cancelled) throw new ApiError.VideoNotFound(id);
      if (cancelled.finished) throw new ApiError.VideoFinished(id, cancelled.view.status);
      request.log.info({ videoId: id }, 'video cancel requested');
      return reply.code(202).send(cancelled.view);
    },
  );
  done();
};
