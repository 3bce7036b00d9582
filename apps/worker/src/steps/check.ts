import { isAimlApiError, type Generation } from '@vidqueue/aimlapi';
import { FailureCode, type GenerationResult } from '@vidqueue/core/contract';
import { JobFailure } from '../job-failure.js';
import { retryDelay } from '../schedule.js';
import type { StepContext } from './context.js';
import { describeError } from './describe-error.js';
import type { JobRun } from './run.js';
import { settle } from './settle.js';

/**
 * The `checking` step: one status call. Pending → `polls + 1` persisted with its job log line, delayed
 * to `min(next check, deadline)`; terminal → `settle`. Status calls are reads, so errors are retried
 * until the deadline; past it the job fails `deadline_exceeded` (a finished generation is still kept).
 */
export async function check(ctx: StepContext, run: JobRun): Promise<GenerationResult> {
  const { now } = ctx;
  const { generationId, deadline } = run.data;
  if (!generationId || deadline === undefined) {
    throw new JobFailure(FailureCode.InvalidJob, 'step is checking but generationId or deadline is missing');
  }
  const over = await ctx.budgets?.beforeCheck(run.flags.backoff);
  if (over) {
    run.log.debug(over, 'over the status budget; check delayed');
    return run.delayUntil(now() + over.waitMs);
  }
  const scheduledAt = run.data.nextCheckAt;
  const startedAt = now();
  const lateMs = scheduledAt === undefined ? undefined : Math.max(0, startedAt - scheduledAt);
  const previousCheckAt = run.data.lastCheckAt ?? run.data.submittedAt;
  let generation: Generation;
  try {
    generation = await ctx.client.get(generationId);
  } catch (err) {
    return onCheckError(ctx, run, generationId, deadline, err);
  }
  const polls = run.data.polls + 1;
  const nextAt =
    generation.phase === 'pending'
      ? Math.min(
          await ctx.schedule.nextCheckAt(run.data.input, {
            submittedAt: run.data.submittedAt ?? now(),
            polls,
            now: now(),
            ...(run.data.expectedMs !== undefined && { expectedMs: run.data.expectedMs }),
          }),
          deadline,
        )
      : undefined;
  await run.saveAndLog(
    {
      polls,
      lastStatus: generation.status,
      lastCheckAt: startedAt,
      ...(nextAt !== undefined && { nextCheckAt: nextAt }),
    },
    `check ${polls}: ${generation.status}`,
  );
  if (ctx.logs('debug')) run.log.debug({ polls, status: generation.status }, 'status checked');
  await ctx.hooks?.checked?.(run.job, {
    status: generation.status,
    phase: generation.phase,
    polls,
    at: now(),
    ...(lateMs !== undefined && { lateMs }),
    ...(previousCheckAt !== undefined && { previousCheckAt }),
  });
  // A finished generation is kept even when it is late: it has been paid for.
  if (generation.phase !== 'pending') return settle(ctx, run, generation);
  if (now() >= deadline || nextAt === undefined) throw deadlineExceeded(ctx, run, generationId, deadline);
  return run.delayUntil(nextAt);
}

/** The status call threw: 404 → `rejected_by_provider`; anything else retried until the deadline. */
async function onCheckError(
  ctx: StepContext,
  run: JobRun,
  generationId: string,
  deadline: number,
  err: unknown,
): Promise<never> {
  const { config, now } = ctx;
  await ctx.budgets?.checkFailed(err);
  if (isAimlApiError(err) && err.kind === 'permanent') {
    throw new JobFailure(FailureCode.Rejected, ctx.scrub(err.providerMessage ?? err.message));
  }
  if (now() >= deadline) throw deadlineExceeded(ctx, run, generationId, deadline);
  // Status checks are reads, safe to repeat until the deadline. An account error on a check does
  // not pause anything: the generation exists and is being paid for; keep asking.
  const retries = run.data.retries + 1;
  const retryAfterMs = isAimlApiError(err) ? err.retryAfterMs : undefined;
  const wait = retryDelay(config, retries, retryAfterMs, ctx.random);
  const retryAt = Math.min(now() + wait, deadline);
  await run.save({ retries, nextCheckAt: retryAt });
  const message = ctx.scrub(isAimlApiError(err) ? (err.providerMessage ?? err.message) : describeError(err));
  const level = isAimlApiError(err) && err.kind === 'account' ? 'error' : 'warn';
  run.log[level]({ retries, waitMs: wait, err: message }, 'status check failed; will retry');
  await run.job.log(`check failed (${message}): retry in ${wait} ms`);
  return run.delayUntil(retryAt);
}

/** The generation is still pending (or unreadable) at its deadline: the `deadline_exceeded` failure. */
function deadlineExceeded(ctx: StepContext, run: JobRun, generationId: string, deadline: number): JobFailure {
  const seconds = Math.round(
    (deadline - (run.data.submittedAt ?? deadline - ctx.config.GENERATION_DEADLINE_MS)) / 1000,
  );
  run.log.warn({ polls: run.data.polls, lastStatus: run.data.lastStatus }, 'deadline exceeded');
  return new JobFailure(
    FailureCode.DeadlineExceeded,
    `generation ${generationId} did not finish within ${seconds} s (last status: ${run.data.lastStatus ?? 'unknown'})`,
  );
}
