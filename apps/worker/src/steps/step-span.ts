import type { GenerationResult } from '@vidqueue/core/contract';
import { withSpan } from '@vidqueue/telemetry';
import type { JobRun } from './run.js';

/** Span names of the generation steps, one per run of a job (settle is `vidq.settle`, inside these). */
export const StepSpan = {
  submit: 'vidq.submit',
  check: 'vidq.check',
  reconcile: 'vidq.reconcile',
  unknownOutcome: 'vidq.unknown_outcome',
} as const;
export type StepSpanName = (typeof StepSpan)[keyof typeof StepSpan];

/**
 * One step of one run in a span, the child of BullMQ's `process generations` span (itself continuing
 * the trace the job was added in). Attributes: `vidq.job_id`, `vidq.step`, `vidq.model`, `vidq.polls`
 * (checks made before this one), `vidq.generation_id` once known (submit learns it), and how the step
 * ended: `vidq.outcome` `delayed` (a later run continues; not an error) or `completed`, or an error
 * with `error.type` = the failure code. Never the prompt or the job's metadata.
 */
export function stepSpan(
  name: StepSpanName,
  run: JobRun,
  step: () => Promise<GenerationResult>,
): Promise<GenerationResult> {
  return withSpan(
    name,
    {
      attributes: {
        'vidq.job_id': run.job.id ?? '',
        'vidq.step': run.data.step,
        'vidq.model': run.data.input.model,
        'vidq.polls': run.data.polls,
      },
    },
    async (span) => {
      try {
        const result = await step();
        span?.setAttribute('vidq.outcome', 'completed');
        return result;
      } finally {
        if (run.data.generationId !== undefined)
          span?.setAttribute('vidq.generation_id', run.data.generationId);
      }
    },
  );
}
