import {
  FailureCode,
  GenerationJobDataSchema,
  type GenerationJob,
  type GenerationResult,
} from '@vidqueue/core/contract';
import { JobFailure } from './job-failure.js';
import { check } from './steps/check.js';
import { reconcile } from './steps/reconcile.js';
import { createStepContext, type ProcessorDeps, type StepContext } from './steps/context.js';
import { readFlags } from './steps/run-flags.js';
import { JobRun } from './steps/run.js';
import { StepSpan, stepSpan } from './steps/step-span.js';
import { submit } from './steps/submit.js';
import { unknownOutcome } from './steps/unknown-outcome.js';

export type { ProcessorConfig, ProcessorDeps } from './steps/context.js';
export type GenerationProcessor = (job: GenerationJob, token?: string) => Promise<GenerationResult>;

/**
 * The one-job state machine (see ARCHITECTURE.md): `pending` → `submitting` → `checking` → result,
 * with `reconciling` (usage-log lookups) after an unknown outcome. Every wait is a `moveToDelayed` +
 * `DelayedError`, so a job between checks holds no worker slot. Progress is persisted before each
 * step's side effect, so a crash never causes a silent second create call: a job found in `submitting`
 * has an unknown outcome and goes to the configured policy.
 * This is the dispatcher; each step is a file in `steps/`, and each run of a step is a span (step-span.ts).
 */
export function createProcessor(deps: ProcessorDeps): GenerationProcessor {
  const ctx = createStepContext(deps);
  const hooks = deps.hooks;
  if (!hooks?.completed && !hooks?.failed) return (job, token) => processGeneration(ctx, job, token);
  return async function processWithHooks(job, token) {
    let result: GenerationResult;
    try {
      result = await processGeneration(ctx, job, token);
    } catch (err) {
      if (err instanceof JobFailure) await hooks.failed?.(job, err.toHookFailure());
      throw err;
    }
    await hooks.completed?.(job, result);
    return result;
  };
}

/** One run: parse the data, read the run's flags, obey a cancel, then the step the job is at. */
async function processGeneration(
  ctx: StepContext,
  job: GenerationJob,
  token: string | undefined,
): Promise<GenerationResult> {
  if (!token) throw new Error('the generation processor needs the job lock token');
  const parsed = GenerationJobDataSchema.safeParse(job.data);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new JobFailure(FailureCode.InvalidJob, issues.join('; '));
  }
  const data = parsed.data;
  const flags = await readFlags(ctx, job, token, data);
  const run = new JobRun(job, token, data, flags, ctx.logger, ctx.redis, ctx.logsRoutine);
  if (flags.cancelled) {
    run.log.info({ step: data.step }, 'cancelled by request');
    throw new JobFailure(FailureCode.Cancelled, 'cancelled by request');
  }
  switch (data.step) {
    case 'pending':
      return stepSpan(StepSpan.submit, run, () => submit(ctx, run));
    case 'reconciling':
      return stepSpan(StepSpan.reconcile, run, () => reconcile(ctx, run));
    case 'submitting':
      return stepSpan(StepSpan.unknownOutcome, run, () =>
        unknownOutcome(ctx, run, 'the worker stopped after sending it and before saving the generation id'),
      );
    case 'checking':
      return stepSpan(StepSpan.check, run, () => check(ctx, run));
  }
}
