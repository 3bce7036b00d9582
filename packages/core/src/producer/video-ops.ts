/**
 * Single videos: load, enqueue (with its Idempotency-Key), cancel. The same job ids and data, the same
 * key handling and the same refusals for `/v1/videos` and the SDK's Redis mode.
 */
import { CANCEL_TTL_SECONDS } from '../contract/idempotency.js';
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
import { CostTally, priceTable } from './estimate.js';
import { singlePriority } from './fair-share.js';
import { ProducerError, producerError } from './errors.js';
import { refuseOverVideoCap, refuseUnpricedUnderCap } from './spend-checks.js';
import { checkIdempotencyKey, validateVideoRequest } from './validate-video.js';
import { checkWebhookTarget } from './webhook-address.js';
import { claimFingerprint, claimVideoKey, markAdded, repeatOfClaim } from './video-idempotency.js';

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
  const job = await guard(() => queue.getJob(id));
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
  // A single prompt goes before every batch row (fair-share.ts).
  return ctx.guard(() =>
    ctx.queue.add(GENERATION_JOB_NAME, data as GenerationJobData, { jobId: id, ...singlePriority(ctx) }),
  );
}

/** A video's queued view and the fingerprint of what it asked for, or undefined when it has no job. */
async function loadForRepeat(ctx: ProducerContext, id: string) {
  const found = await loadVideo(ctx, id);
  return found && { video: toQueuedVideo(found.view), fingerprint: claimFingerprint(found.job.data) };
}

/**
 * The request priced by the catalogue (`estimatedCostUsd`, null when unpriced), or refused: unpriced
 * under a cap (its own `max_cost_usd` or the daily limit), or estimated over its own cap.
 */
async function priced(ctx: ProducerContext, data: NewGenerationJobData): Promise<NewGenerationJobData> {
  const tally = new CostTally(await priceTable(ctx), ctx.catalogue);
  const usd = tally.add(data.input);
  const own = data.maxCostUsd;
  refuseUnpricedUnderCap(tally, {
    own: own === undefined ? undefined : { kind: 'video', usd: own },
    dailyUsd: ctx.config.SPEND_LIMIT_USD_PER_DAY,
  });
  if (usd !== null && own !== undefined) refuseOverVideoCap(usd, own);
  return { ...data, estimatedCostUsd: usd };
}

/**
 * Validates one request, prices it, and adds its generation job under a new video id. With an Idempotency-Key,
 * the first use claims it (NX, IDEMPOTENCY_TTL_SECONDS, with the video id and the request's
 * fingerprint) and a repeat answers the first request's video instead of a new job
 * (IDEMPOTENCY_KEY_MISMATCH for another request under the same key). See video-idempotency.ts for
 * why a key is never released and how a repeat completes a claim whose job did not land.
 */
export async function enqueueVideo(
  ctx: ProducerContext,
  input: unknown,
  options: { idempotencyKey?: string | undefined } = {},
): Promise<EnqueuedVideo> {
  const checked = validateVideoRequest(
    input,
    { defaultModel: ctx.config.DEFAULT_MODEL, maxPromptLength: ctx.config.MAX_PROMPT_LENGTH },
    ctx.catalogue,
  );
  checkWebhookTarget(checked.webhook, ctx.config.WEBHOOK_ALLOW_PRIVATE);
  const key = options.idempotencyKey;
  checkIdempotencyKey(key);
  if (key === undefined) {
    const data = await priced(ctx, checked);
    return { replayed: false, video: queued(await addJob(ctx, newVideoId(), data), data) };
  }
  // Priced when a job is about to be added, so a repeat answers its first video whatever prices did since.
  let data: NewGenerationJobData | undefined;
  const price = async () => (data ??= await priced(ctx, checked));
  const redisKey = ctx.keys.idempotency(key);
  const fingerprint = claimFingerprint(checked);
  // Twice at most: a claim that expires between our NX and our read is claimed afresh once.
  for (let attempt = 0; attempt < 2; attempt++) {
    const id = newVideoId();
    // A first request is refused (price, caps) before it claims the key, never after.
    if ((await ctx.guard(() => ctx.redis.exists(redisKey))) === 0) await price();
    if (await claimVideoKey(ctx, redisKey, id, fingerprint)) {
      // If the add times out, the key stays: the job may still land, and a repeat finds or adds it.
      const job = await addJob(ctx, id, await price());
      await markAdded(ctx, redisKey, `${id} ${fingerprint}`);
      return { replayed: false, video: queued(job, await price()) };
    }
    const repeat = await repeatOfClaim(ctx, redisKey, fingerprint, (videoId) => loadForRepeat(ctx, videoId));
    if (repeat === undefined) continue;
    if ('video' in repeat) return { replayed: true, video: repeat.video };
    // The claim's job never landed: add it under the claim's id (a no-op if it lands meanwhile).
    await addJob(ctx, repeat.add, await price());
    await markAdded(ctx, redisKey, `${repeat.add} ${fingerprint}`);
    const added = await loadForRepeat(ctx, repeat.add);
    if (!added) throw new ProducerError('IDEMPOTENCY_KEY_CONFLICT');
    return { replayed: true, video: added.video };
  }
  throw new ProducerError('IDEMPOTENCY_KEY_CONFLICT');
}

function queued(job: GenerationJob, data: NewGenerationJobData): QueuedVideoView {
  return {
    id: String(job.id),
    status: 'queued',
    model: data.input.model,
    estimated_cost_usd: data.estimatedCostUsd ?? null,
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
