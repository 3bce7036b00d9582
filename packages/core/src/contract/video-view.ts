/**
 * The public view of one video (what GET /v1/videos/:id answers and what @vidqueue/client returns),
 * mapped from a BullMQ job. Shared by the API and the SDK so both show the same shape.
 */
import type { Job } from 'bullmq';
import { z } from 'zod';
import { PAUSE_REASONS, SPEND_CAPS } from './budget.js';
import { ArchiveViewSchema, chooseVideoUrl, toArchiveView, type ArchiveRecord } from './archive.js';
import { FailureCode, parseFailure } from './failure.js';
import {
  GenerationJobDataSchema,
  GenerationResultSchema,
  JobStep,
  type GenerationJobData,
  type GenerationResult,
} from './job-data.js';

/**
 * Where a video stands; also the statuses of a batch's rows (a row is one video). `paused`: not
 * submitted because a spending cap holds it back (see `pause`).
 */
export const VIDEO_STATUSES = ['queued', 'paused', 'generating', 'completed', 'failed', 'cancelled'] as const;
export type VideoStatus = (typeof VIDEO_STATUSES)[number];

/** BullMQ's answer to getState(), plus 'unknown' when the job is gone. */
export type JobStateName =
  'completed' | 'failed' | 'active' | 'delayed' | 'prioritized' | 'waiting' | 'waiting-children' | 'unknown';

const iso = z.iso.datetime();

export const VideoPauseSchema = z
  .object({
    reason: z.enum(PAUSE_REASONS),
    cap: z.enum(SPEND_CAPS).nullable().describe('batch, video or daily (SPEND_LIMIT_USD_PER_DAY)'),
    message: z.string(),
    since: iso,
    until: iso.nullable().describe('When it is looked at again (UTC midnight for the daily limit)'),
  })
  .describe('Why the video waits instead of being submitted (status paused)');

const estimated = z
  .number()
  .nullable()
  .describe("The catalogue's price of the request when it was queued, in USD; null when it cannot be told");
const MetadataValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const VideoViewSchema = z
  .object({
    id: z.string().describe('The video id (vid_…)'),
    status: z.enum(VIDEO_STATUSES),
    model: z.string(),
    prompt: z.string().optional(),
    custom_id: z.string().nullable(),
    metadata: z.record(z.string(), MetadataValue).nullable(),
    generation_id: z.string().nullable().describe("The provider's generation id, once submitted"),
    generation_ids: z
      .array(z.string())
      .describe(
        'Every generation made (or possibly made) for this video, oldest first: a retried batch row lists its earlier attempts too',
      ),
    video_url: z
      .string()
      .nullable()
      .describe(
        'Where to fetch the video: our archived copy (GET /v1/videos/:id/content) once archived, else the provider URL',
      ),
    provider_video_url: z.string().nullable().describe("The provider's URL (may expire after 24 h)"),
    archive: ArchiveViewSchema.nullable().describe(
      'Our copy of the video; null when archiving is off or not started',
    ),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    polls: z.number().int().describe('Status checks made at the provider so far'),
    created_at: iso,
    submitted_at: iso.nullable(),
    completed_at: iso.nullable().describe('When the video reached a final state'),
    estimated_cost_usd: estimated,
    max_cost_usd: z.number().nullable().describe("The video's own spending cap in USD"),
    cost_usd: z.number().nullable().describe('What the provider reported it cost'),
    credits_used: z.number().nullable(),
    pause: VideoPauseSchema.nullable(),
    recovered: z
      .literal(true)
      .optional()
      .describe(
        "Present when the create's answer was lost and the generation was found in the provider's usage logs",
      ),
    possible_duplicate: z
      .literal(true)
      .optional()
      .describe(
        'Present when this video may have been generated (and billed) twice: a create sent again after its outcome was lost, or a retried batch row whose earlier generation may still bill',
      ),
  })
  .meta({ id: 'Video' });
export type VideoView = z.infer<typeof VideoViewSchema>;

/** What a create answers (`POST /v1/videos`, the SDK's `enqueue`): the new video, or the key's first one. */
export const QueuedVideoSchema = z
  .object({
    id: z.string(),
    status: z.enum(VIDEO_STATUSES),
    model: z.string(),
    estimated_cost_usd: estimated,
    created_at: iso,
  })
  .meta({ id: 'QueuedVideo' });
export type QueuedVideoView = z.infer<typeof QueuedVideoSchema>;

export function toQueuedVideo(
  view: Pick<VideoView, 'id' | 'status' | 'model' | 'estimated_cost_usd' | 'created_at'>,
): QueuedVideoView {
  return {
    id: view.id,
    status: view.status,
    model: view.model,
    estimated_cost_usd: view.estimated_cost_usd,
    created_at: view.created_at,
  };
}

/** A generation job as BullMQ returns it. */
export type GenerationJob = Job<GenerationJobData, GenerationResult, string>;

/**
 * The API status of a job from its BullMQ state, its step, whether a cancel was asked for and whether
 * it waits for a spending cap (`budgetPause` in its data).
 */
export function videoStatus(
  state: JobStateName,
  step: string | undefined,
  cancelRequested: boolean,
  failureCode: string | undefined,
  budgetPaused = false,
): VideoStatus {
  switch (state) {
    case 'completed':
      return 'completed';
    case 'failed':
      return failureCode === FailureCode.Cancelled ? 'cancelled' : 'failed';
    case 'waiting':
    case 'prioritized':
    case 'waiting-children':
    case 'delayed':
    case 'active':
    case 'unknown':
      if (cancelRequested) return 'cancelled';
      if (budgetPaused && (step === undefined || step === JobStep.Pending)) return 'paused';
      if (state === 'delayed' || state === 'active') {
        return step === JobStep.Submitting || step === JobStep.Reconciling || step === JobStep.Checking
          ? 'generating'
          : 'queued';
      }
      return 'queued';
  }
}

export function isFinished(state: JobStateName): boolean {
  return state === 'completed' || state === 'failed';
}

const CANCEL_PENDING = { code: FailureCode.Cancelled, message: 'Cancelled on request' };

/** What the view shows beyond the job: the video's archive record and the base of our content URLs. */
export type VideoViewExtras = { archive?: ArchiveRecord; publicBase?: string };

/** Maps a BullMQ job to the API's view. Tolerates job data written by other producers. */
export function toVideoView(
  job: GenerationJob,
  state: JobStateName,
  cancelRequested: boolean,
  extras: VideoViewExtras = {},
): VideoView {
  const parsed = GenerationJobDataSchema.safeParse(job.data);
  const data: Partial<GenerationJobData> = parsed.success ? parsed.data : {};
  const rawInput = (job.data as { input?: { model?: unknown; prompt?: unknown } } | undefined)?.input;
  const result = state === 'completed' ? GenerationResultSchema.safeParse(job.returnvalue).data : undefined;
  const failure = state === 'failed' ? parseFailure(job.failedReason) : undefined;
  const pause = isFinished(state) ? undefined : data.budgetPause;
  const status = videoStatus(state, data.step, cancelRequested, failure?.code, pause !== undefined);

  let error: VideoView['error'] = null;
  if (failure) error = { code: failure.code, message: failure.message };
  else if (status === 'cancelled') error = CANCEL_PENDING;

  const finishedAt = result?.completedAt ?? (isFinished(state) ? job.finishedOn : undefined);
  const submittedAt = result?.submittedAt ?? data.submittedAt;
  const prompt = data.input?.prompt ?? (typeof rawInput?.prompt === 'string' ? rawInput.prompt : undefined);
  const generationId = result?.generationId ?? data.generationId ?? null;
  return {
    id: String(job.id),
    status,
    model: data.input?.model ?? (typeof rawInput?.model === 'string' ? rawInput.model : 'unknown'),
    ...(prompt === undefined ? {} : { prompt }),
    custom_id: data.customId ?? null,
    metadata: data.metadata ?? null,
    generation_id: generationId,
    generation_ids: [
      ...new Set([...(data.priorGenerationIds ?? []), ...(generationId ? [generationId] : [])]),
    ],
    video_url: chooseVideoUrl(extras.publicBase, String(job.id), result?.videoUrl ?? null, extras.archive),
    provider_video_url: result?.videoUrl ?? null,
    archive: state === 'completed' ? toArchiveView(extras.archive) : null,
    error,
    polls: result?.polls ?? data.polls ?? 0,
    created_at: toIso(job.timestamp),
    submitted_at: submittedAt === undefined ? null : toIso(submittedAt),
    completed_at: finishedAt === undefined ? null : toIso(finishedAt),
    estimated_cost_usd: data.estimatedCostUsd ?? null,
    max_cost_usd: data.maxCostUsd ?? null,
    cost_usd: result?.costUsd ?? null,
    credits_used: result?.creditsUsed ?? null,
    pause:
      status === 'paused' && pause
        ? {
            reason: pause.reason,
            cap: pause.cap ?? null,
            message: pause.message,
            since: toIso(pause.since),
            until: pause.until === undefined ? null : toIso(pause.until),
          }
        : null,
    ...((result?.recovered ?? data.recovered) === true && { recovered: true as const }),
    ...((result?.possibleDuplicate ?? data.possibleDuplicate) === true && {
      possible_duplicate: true as const,
    }),
  };
}

function toIso(ms: number): string {
  return new Date(ms).toISOString();
}
