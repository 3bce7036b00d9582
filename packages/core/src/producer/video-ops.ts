/**
 * Single videos: load, enqueue (with its Idempotency-Key), cancel. The same job ids and data, the same
 * key handling and the same refusals for `/v1/videos` and the SDK's Redis mode.
 */
import { CANCEL_TTL_SECONDS, IDEMPOTENCY_TTL_SECONDS, requestFingerprint } from '../contract/idempotency.js';
import type { GenerationJobData, NewGenerationJobData } from '../contract/job-data.js';
import { newVideoId } from '../contract/keys.js';
import {
  isFinished,
  toQueuedVideo,
  toVideoView,
  type GenerationJob,
  type JobStateName,
  type QueuedVideoView,
  type VideoView,
} from '../contract/video-view.js';
import { GENERATION_JOB_NAME } from '../store/queue.js';
import type { ProducerContext } from './context.js';
import { ProducerError, producerError } from './errors.js';
import { checkIdempotencyKey, validateVideoRequest } from './validate-video.js';

/** How long a repeated Idempotency-Key waits for the first request's job to appear. */
export const IDEMPOTENCY_WAIT_MS = 1_000;

export type LoadedVideo = { job: GenerationJob; state: JobStateName; view: VideoView };

/** What `enqueueVideo` did: added a job (`replayed: false`), or found the one made for the key before. */
export type EnqueuedVideo = { replayed: boolean; video: QueuedVideoView };

/** The video, or undefined when there is none. */
export async function loadVideo(ctx: ProducerContext, id: string): Promise<LoadedVideo | undefined> {
  const { guard, queue, redis, keys } = ctx;
  // State first, then the job: BullMQ sets a job's state and its failedReason/returnvalue in one
  // script, so a job read after its state is never older than that state (the other order could
  // show `failed` without the reason).
  const [state, cancel] = await guard(() =>
    Promise.all([queue.getJobState(id), redis.exists(keys.cancel(id))]),
  );
  if (state === 'unknown') return undefined;
  const job = (await guard(() => queue.getJob(id))) as GenerationJob | undefined;
  if (!job) return undefined; // removed between the two reads
  return { job, state, view: toVideoView(job, state, cancel === 1) };
}

/** The video's view, or VIDEO_NOT_FOUND. */
export async function getVideo(ctx: ProducerContext, id: string): Promise<VideoView> {
  const found = await loadVideo(ctx, id);
  if (!found) throw producerError.videoNotFound(id);
  return found.view;
}

function addJob(ctx: ProducerContext, id: string, data: NewGenerationJobData): Promise<GenerationJob> {
  // Job data follows job-data.ts: progress fields start absent; the worker fills them.
  return ctx.guard(() => ctx.queue.add(GENERATION_JOB_NAME, data as GenerationJobData, { jobId: id }));
}

/** The video made for an earlier request with the same key. */
async function replay(
  ctx: ProducerContext,
  redisKey: string,
  data: NewGenerationJobData,
): Promise<EnqueuedVideo> {
  const deadline = Date.now() + IDEMPOTENCY_WAIT_MS;
  for (;;) {
    const id = await ctx.guard(() => ctx.redis.get(redisKey));
    const found = id === null ? undefined : await loadVideo(ctx, id);
    if (found) {
      if (requestFingerprint(found.job.data) !== requestFingerprint(data)) {
        throw new ProducerError('IDEMPOTENCY_KEY_MISMATCH');
      }
      return { replayed: true, video: toQueuedVideo(found.view) };
    }
    // The first request may be between claiming the key and adding its job.
    if (Date.now() >= deadline) throw new ProducerError('IDEMPOTENCY_KEY_CONFLICT');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Validates one request and adds its generation job under a new video id. With an Idempotency-Key,
 * the first use claims it (NX, IDEMPOTENCY_TTL_SECONDS) and a repeat gets the first request's video
 * instead of a new job (IDEMPOTENCY_KEY_MISMATCH for another request under the same key).
 */
export async function enqueueVideo(
  ctx: ProducerContext,
  input: unknown,
  options: { idempotencyKey?: string | undefined } = {},
): Promise<EnqueuedVideo> {
  const data = validateVideoRequest(input, {
    defaultModel: ctx.config.DEFAULT_MODEL,
    maxPromptLength: ctx.config.MAX_PROMPT_LENGTH,
  });
  const key = options.idempotencyKey;
  checkIdempotencyKey(key);
  const id = newVideoId();
  if (key === undefined) return { replayed: false, video: queued(await addJob(ctx, id, data), data) };
  const redisKey = ctx.keys.idempotency(key);
  const claimed = await ctx.guard(() => ctx.redis.set(redisKey, id, 'EX', IDEMPOTENCY_TTL_SECONDS, 'NX'));
  if (claimed === null) return replay(ctx, redisKey, data);
  try {
    return { replayed: false, video: queued(await addJob(ctx, id, data), data) };
  } catch (err) {
    // Free the key so a retry can enqueue; if Redis is gone the key stays and a retry gets 409.
    await ctx.redis.del(redisKey).catch(() => undefined);
    throw err;
  }
}

function queued(job: GenerationJob, data: NewGenerationJobData): QueuedVideoView {
  return {
    id: String(job.id),
    status: 'queued',
    model: data.input.model,
    created_at: new Date(job.timestamp).toISOString(),
  };
}

/**
 * Asks the worker to stop a video (a flag it reads at the job's next step; a delayed job is run at
 * once so that step comes now) and answers its view. VIDEO_NOT_FOUND, or VIDEO_FINISHED (nothing done)
 * when it has already completed or failed; cancelling a cancelled video again is fine.
 */
export async function cancelVideo(ctx: ProducerContext, id: string): Promise<VideoView> {
  const found = await loadVideo(ctx, id);
  if (!found) throw producerError.videoNotFound(id);
  const { job, state, view } = found;
  if (view.status === 'cancelled') return view;
  if (isFinished(state)) throw producerError.videoFinished(id, view.status);
  await ctx.guard(() => ctx.redis.set(ctx.keys.cancel(id), String(Date.now()), 'EX', CANCEL_TTL_SECONDS));
  if (state === 'delayed') {
    try {
      await ctx.guard(() => job.promote());
    } catch (err) {
      // Refused because the job moved on (a worker took it): nothing to do. Still delayed: a real
      // failure (Redis), which the caller must see.
      if (await ctx.guard(() => job.isDelayed())) throw err;
    }
  }
  const after = await loadVideo(ctx, id);
  if (!after) throw producerError.videoNotFound(id);
  return after.view;
}
