import type { Generation } from '@vidqueue/aimlapi';
import { FailureCode, type GenerationResult } from '@vidqueue/core/contract';
import { withSpanSync } from '@vidqueue/telemetry';
import { JobFailure } from '../job-failure.js';
import type { StepContext } from './context.js';
import { withReportedCost } from './cost.js';
import type { JobRun } from './run.js';

/**
 * The generation reached a terminal phase (seen by the create answer or a status check): the result
 * BullMQ stores as the job's return value (with the cost from wherever the provider reported it), or a
 * `generation_failed` JobFailure with the provider's message (never a cost: failures are not billed), or a
 * `video_missing` one when it completed without a video (its charge, saved by the check, stands).
 * Span `vidq.settle` (the provider's status, and the cost when known), inside the step that saw it.
 */
export function settle(ctx: StepContext, run: JobRun, generation: Generation): GenerationResult {
  return withSpanSync(
    'vidq.settle',
    { attributes: { 'vidq.generation_id': generation.id, 'vidq.provider.status': generation.status } },
    (span) => {
      const result = settleUntraced(ctx, run, generation);
      if (result.costUsd !== undefined) span?.setAttribute('vidq.cost_usd', result.costUsd);
      return result;
    },
  );
}

function settleUntraced(ctx: StepContext, run: JobRun, generation: Generation): GenerationResult {
  if (generation.videoMissing) {
    // Finished at the provider, so its charge (saved with this check) stands: not generation_failed.
    run.log.warn(
      { status: generation.status, polls: run.data.polls },
      'generation completed without a video',
    );
    throw new JobFailure(
      FailureCode.VideoMissing,
      `the provider reported status "${generation.status}" for generation ${generation.id} but gave no video URL`,
    );
  }
  if (generation.phase === 'failed') {
    const message = ctx.scrub(generation.error ?? `the provider reported status ${generation.status}`);
    run.log.warn({ status: generation.status, polls: run.data.polls }, 'generation failed at the provider');
    throw new JobFailure(FailureCode.GenerationFailed, message);
  }
  if (!generation.videoUrl) {
    // The client already reports this as failed; kept here so a result never lacks its video.
    throw new JobFailure(
      FailureCode.GenerationFailed,
      `the provider reported status ${generation.status} but gave no video URL`,
    );
  }
  const { now } = ctx;
  // Whichever answer reported the charge (create, a poll, the usage-log row), counted once.
  const cost = withReportedCost(run.data, generation);
  const result: GenerationResult = {
    videoUrl: generation.videoUrl,
    generationId: generation.id,
    model: run.data.input.model,
    polls: run.data.polls,
    submittedAt: run.data.submittedAt ?? now(),
    completedAt: now(),
    ...(cost.costUsd !== undefined && { costUsd: cost.costUsd }),
    ...(cost.creditsUsed !== undefined && { creditsUsed: cost.creditsUsed }),
    ...(generation.contentType !== undefined && { contentType: generation.contentType }),
    ...(generation.fileSize !== undefined && { fileSize: generation.fileSize }),
    ...(run.data.possibleDuplicate && { possibleDuplicate: true }),
    ...(run.data.recovered && { recovered: true }),
  };
  if (ctx.logs('info')) {
    run.log.info(
      { polls: result.polls, costUsd: result.costUsd, ms: result.completedAt - result.submittedAt },
      'completed',
    );
  }
  return result;
}
