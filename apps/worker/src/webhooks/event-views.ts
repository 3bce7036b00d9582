import {
  formatFailure,
  toVideoView,
  type ArchiveRecord,
  type FailureCode,
  type GenerationJob,
  type GenerationResult,
  type VideoView,
} from '@vidqueue/core/contract';
import type { HookFailure } from '../hooks.js';

/**
 * The view of GET /v1/videos/:id at the moment an event fires. The hooks run before BullMQ stores the
 * job's outcome, so the outcome is laid over the job here (the same mapping the API uses).
 */
export function completedView(
  job: GenerationJob,
  result: GenerationResult,
  extras: { archive?: ArchiveRecord; publicBase?: string },
): VideoView {
  const settled = { ...job, id: job.id, data: job.data, returnvalue: result, finishedOn: result.completedAt };
  return toVideoView(settled as GenerationJob, 'completed', false, extras);
}

export function failedView(job: GenerationJob, failure: HookFailure): VideoView {
  const settled = {
    ...job,
    id: job.id,
    data: job.data,
    failedReason: formatFailure(failure.code as FailureCode, failure.message),
    finishedOn: Date.now(),
  };
  return toVideoView(settled as GenerationJob, 'failed', false);
}
