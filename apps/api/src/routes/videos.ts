import type { FastifyInstance } from 'fastify';
import type { FastifyPluginCallbackZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import { validateGenerationParams } from '@vidqueue/aimlapi';
import {
  CANCEL_TTL_SECONDS,
  GENERATION_JOB_NAME,
  IDEMPOTENCY_TTL_SECONDS,
  MetadataSchema,
  newVideoId,
  requestFingerprint,
  type Config,
  type GenerationJobData,
  type NewGenerationJobData,
} from '@vidqueue/core';
import { ApiError, validationError } from '../errors.js';
import { isRedisUnavailableError } from '../plugins/queues.js';
import {
  VIDEO_STATUSES,
  VideoViewSchema,
  isFinished,
  toVideoView,
  type GenerationJob,
  type JobStateName,
  type VideoView,
} from '../video-view.js';

export { CANCEL_TTL_SECONDS, IDEMPOTENCY_TTL_SECONDS };
/** How long a repeated request waits for the job of a concurrent first request to appear. */
const IDEMPOTENCY_WAIT_MS = 1_000;

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
    num_inference_steps: z.number().int().optional().describe('Sampling steps (1 to 100)'),
    custom_id: z.string().min(1).max(200).optional().describe('Your own reference, returned as is'),
    metadata: MetadataSchema.optional().describe('Flat key/value pairs, returned as is'),
  });
}

const IdempotencyHeaders = z.looseObject({
  'idempotency-key': z
    .string()
    .min(1)
    .max(255)
    .regex(/^[\x21-\x7e]+$/, 'must be 1 to 255 printable ASCII characters without spaces')
    .optional()
    .describe('Repeat a POST with the same key within 24 hours to get the same video instead of a new one'),
});

type LoadedVideo = { job: GenerationJob; state: JobStateName; view: VideoView };

async function loadVideo(app: FastifyInstance, id: string): Promise<LoadedVideo | undefined> {
  // State first, then the job: BullMQ sets a job's state and its failedReason/returnvalue in one
  // script, so a job read after its state is never older than that state (the other order could show
  // `failed` without the reason).
  const [state, cancel] = await app.withRedis(() =>
    Promise.all([app.queue.getJobState(id), app.redis.exists(app.keys.cancel(id))]),
  );
  if (state === 'unknown') return undefined;
  const job = (await app.withRedis(() => app.queue.getJob(id))) as GenerationJob | undefined;
  if (!job) return undefined; // removed between the two reads
  return { job, state, view: toVideoView(job, state, cancel === 1) };
}

async function requireVideo(app: FastifyInstance, id: string): Promise<LoadedVideo> {
  const found = await loadVideo(app, id);
  if (!found) throw new ApiError.VideoNotFound(id);
  return found;
}

function queuedBody(view: VideoView): z.infer<typeof QueuedSchema> {
  return { id: view.id, status: view.status, model: view.model, created_at: view.created_at };
}

export const videoRoutes: FastifyPluginCallbackZod<{ config: Config }> = (app, { config }, done) => {
  const Body = createBodySchema(config);

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

      const key = request.headers['idempotency-key'];
      const id = newVideoId();
      let job: GenerationJob;
      if (key !== undefined) {
        const redisKey = app.keys.idempotency(key);
        const claimed = await app.withRedis(() =>
          app.redis.set(redisKey, id, 'EX', IDEMPOTENCY_TTL_SECONDS, 'NX'),
        );
        if (claimed === null) {
          const existing = await replay(app, redisKey, data);
          request.log.info({ videoId: existing.id }, 'idempotent repeat: nothing enqueued');
          return reply
            .code(200)
            .header('location', `/v1/videos/${existing.id}`)
            .header('idempotent-replayed', 'true')
            .send(queuedBody(existing));
        }
        try {
          job = await enqueue(app, id, data);
        } catch (err) {
          // Free the key so a retry can enqueue; if Redis is gone the key stays and a retry gets 409.
          await app.redis.del(redisKey).catch(() => undefined);
          throw err;
        }
      } else {
        job = await enqueue(app, id, data);
      }
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
    async (request) => (await requireVideo(app, request.params.id)).view,
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
      const { job, state, view } = await requireVideo(app, id);
      if (view.status === 'cancelled') return reply.code(202).send(view);
      if (isFinished(state)) throw new ApiError.VideoFinished(id, view.status);

      await app.withRedis(() =>
        app.redis.set(app.keys.cancel(id), String(Date.now()), 'EX', CANCEL_TTL_SECONDS),
      );
      if (state === 'delayed') {
        // Run it now so the worker sees the cancel flag and fails it as `cancelled` promptly.
        await app
          .withRedis(() => job.promote())
          .catch((err: unknown) => {
            if (isRedisUnavailableError(err) || (err as { code?: string }).code === 'REDIS_UNAVAILABLE')
              throw err;
            request.log.debug({ err, videoId: id }, 'promote skipped: the job moved on');
          });
      }
      request.log.info({ videoId: id }, 'video cancel requested');
      const after = await requireVideo(app, id);
      return reply.code(202).send(after.view);
    },
  );
  done();
};

async function enqueue(app: FastifyInstance, id: string, data: NewGenerationJobData): Promise<GenerationJob> {
  // Job data follows packages/core/src/job-data.ts: progress fields start absent; the worker fills them.
  return app.withRedis(() => app.queue.add(GENERATION_JOB_NAME, data as GenerationJobData, { jobId: id }));
}

/** The video made for an earlier request with the same Idempotency-Key. */
async function replay(
  app: FastifyInstance,
  redisKey: string,
  data: NewGenerationJobData,
): Promise<VideoView> {
  const deadline = Date.now() + IDEMPOTENCY_WAIT_MS;
  for (;;) {
    const id = await app.withRedis(() => app.redis.get(redisKey));
    const found = id === null ? undefined : await loadVideo(app, id);
    if (found) {
      if (requestFingerprint(found.job.data) !== requestFingerprint(data))
        throw new ApiError.IdempotencyMismatch();
      return found.view;
    }
    // The first request may be between claiming the key and adding its job.
    if (Date.now() >= deadline) throw new ApiError.IdempotencyUnavailable();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
