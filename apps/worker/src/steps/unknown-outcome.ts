import { FailureCode } from '@vidqueue/core/contract';
import { JobFailure } from '../job-failure.js';
import { retryDelay } from '../schedule.js';
import type { StepContext } from './context.js';
import { startReconcile } from './reconcile.js';
import type { JobRun } from './run.js';

/**
 * A create call may have created a generation (no answer came, a gateway answered 502/504/524/408, or
 * the worker stopped between sending it and saving the id): never send it again silently.
 * `UNKNOWN_OUTCOME_POLICY` decides: `reconcile` (default: look the attempt up in the usage logs, see
 * `reconcile.ts`), `fail` (`submission_unknown`, the step stays `submitting`) or `resubmit` (back to
 * `pending`, flagged `possibleDuplicate`, at most `SUBMIT_MAX_RETRIES` times).
 */
export async function unknownOutcome(ctx: StepContext, run: JobRun, detail: string): Promise<never> {
  const { config } = ctx;
  if (config.UNKNOWN_OUTCOME_POLICY === 'reconcile') return startReconcile(ctx, run, detail);
  const what = `create call ${run.data.clientRequestId ?? '(unknown request)'}: ${detail}`;
  if (config.UNKNOWN_OUTCOME_POLICY === 'fail') {
    run.log.warn({ clientRequestId: run.data.clientRequestId }, 'create outcome unknown; failing the job');
    throw new JobFailure(
      FailureCode.SubmissionUnknown,
      `${what}; the provider may have created a generation, so it was not sent again`,
    );
  }
  const retries = run.data.retries + 1;
  if (retries > config.SUBMIT_MAX_RETRIES) {
    throw new JobFailure(FailureCode.RetriesExhausted, `${what}; gave up after ${retries - 1} resubmissions`);
  }
  await run.save({ step: 'pending', retries, possibleDuplicate: true });
  run.log.warn(
    { clientRequestId: run.data.clientRequestId },
    'create outcome unknown; resubmitting (possible duplicate)',
  );
  await run.job.log(`create outcome unknown: resubmitting, possible duplicate`);
  return run.delayUntil(ctx.now() + retryDelay(config, retries, undefined, ctx.random));
}
