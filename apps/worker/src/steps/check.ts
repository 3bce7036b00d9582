import { isAimlApiError, type AimlApiError, type Generation } from '@vidqueue/aimlapi';
import { FailureCode, type GenerationResult } from '@vidqueue/core/contract';
import { JobFailure } from '../job-failure.js';
import { retryDelay } from '../schedule.js';
import type { StepContext } from './context.js';
import { costKnown, withReportedCost } from './cost.js';
import { describeError } from './describe-error.js';
import type { JobRun } from './run.js';
import { provenNotCreated } from './reconcile.js';
import { recoveredCost } from './recovered-cost.js';
import { settle } from './settle.js';

/**
 * The `checking` step: one status call. Pending → `polls + 1` persisted (and any cost the answer
 * reported; the `check <n>: <status>` job log line with `JOB_LOG=all`), delayed to
 * `min(next check, deadline)`; terminal → `settle` (completed: nothing more is written, the result holds
 * it). A status the client does not know is pending (logged at warn once per process and spelling).
 * Status calls are reads, so errors are retried until the deadline; a 404 while the generation is young
 * (`STATUS_NOT_FOUND_GRACE_MS`) is checked again on the schedule, then `generation_not_found`. Past the
 * deadline the job fails `deadline_exceeded` naming the last status (a finished generation is kept).
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
  if (generation.unknownStatus && ctx.firstSighting(generation.status)) {
    run.log.warn(
      { status: generation.status, polls },
      'the provider answered a status this worker does not know; treated as still pending until the deadline',
    );
  }
  const nextAt = generation.phase === 'pending' ? await nextCheckAt(ctx, run, polls, deadline) : undefined;
  const knownCost = run.data.costUsd;
  const cost = withReportedCost(run.data, generation);
  const progress = {
    polls,
    lastStatus: generation.status,
    lastCheckAt: startedAt,
    ...(nextAt !== undefined && { nextCheckAt: nextAt }),
    ...cost,
  };
  const line = () => `check ${polls}: ${generation.status}`;
  // A video seen ready ends the job in this run: its result (polls, times, cost) is what BullMQ keeps,
  // so the data is not written again (one write less per video), unless the job's log takes the line.
  // A crash before the result is stored re-runs the check from the data saved before it.
  const recoveredWithoutCost = run.data.recovered === true && !costKnown(cost);
  if (generation.phase === 'completed' && !recoveredWithoutCost && !run.logsRoutine) run.keep(progress);
  else await run.saveProgress(progress, line);
  if (ctx.logs('debug')) run.log.debug({ polls, status: generation.status }, 'status checked');
  await ctx.hooks?.checked?.(run.job, {
    status: generation.status,
    phase: generation.phase,
    polls,
    at: now(),
    ...(lateMs !== undefined && { lateMs }),
    ...(previousCheckAt !== undefined && { previousCheckAt }),
    ...(cost.costUsd !== undefined && cost.costUsd !== knownCost && { costUsd: cost.costUsd }),
  });
  // A recovered generation whose charge no answer reported: its usage-log row has it once completed.
  if (generation.phase === 'completed' && run.data.recovered && !costKnown(run.data)) {
    return recoveredCost(ctx, run, generation);
  }
  // A finished generation is kept even when it is late: it has been paid for.
  if (generation.phase !== 'pending') return settle(ctx, run, generation);
  if (now() >= deadline || nextAt === undefined) throw deadlineExceeded(ctx, run, generationId, deadline);
  return run.delayUntil(nextAt);
}

async function nextCheckAt(ctx: StepContext, run: JobRun, polls: number, deadline: number): Promise<number> {
  const { now } = ctx;
  const at = await ctx.schedule.nextCheckAt(run.data.input, {
    submittedAt: run.data.submittedAt ?? now(),
    polls,
    now: now(),
    ...(run.data.expectedMs !== undefined && { expectedMs: run.data.expectedMs }),
  });
  return Math.min(at, deadline);
}

/** The status call threw: 404 → `onNotFound`; other 4xx → `rejected_by_provider`; anything else retried until the deadline. */
async function onCheckError(
  ctx: StepContext,
  run: JobRun,
  generationId: string,
  deadline: number,
  err: unknown,
): Promise<never> {
  const { config, now } = ctx;
  await ctx.budgets?.checkFailed(err);
  if (isAimlApiError(err) && err.status === 404) return onNotFound(ctx, run, generationId, deadline, err);
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

/**
 * The provider does not know the id. A fresh generation may not be visible yet (the stand-in written
 * from the docs answers 404 to the first poll of a fresh id; the docs call 404 "unknown generation id"
 * and say nothing of such a delay), so within `STATUS_NOT_FOUND_GRACE_MS` of submission the check runs
 * again on the schedule: a paid generation is never abandoned on one answer. Past the grace: an id
 * adopted from a `failed` usage-log row was a refused create's, so nothing was made
 * (`provenNotCreated`); any other id fails `generation_not_found`, naming it.
 */
async function onNotFound(
  ctx: StepContext,
  run: JobRun,
  generationId: string,
  deadline: number,
  err: AimlApiError,
): Promise<never> {
  const { config, now } = ctx;
  const submittedAt = run.data.submittedAt ?? now();
  const ageMs = now() - submittedAt;
  const polls = run.data.polls + 1;
  const message = ctx.scrub(err.providerMessage ?? err.message);
  if (ageMs < config.STATUS_NOT_FOUND_GRACE_MS && now() < deadline) {
    const at = await nextCheckAt(ctx, run, polls, deadline);
    await run.saveAndLog(
      { polls, lastStatus: 'not found (404)', lastCheckAt: now(), nextCheckAt: at },
      `check ${polls}: not found (404) ${Math.round(ageMs / 1000)} s after submission; checked again within the ${Math.round(config.STATUS_NOT_FOUND_GRACE_MS / 1000)} s grace`,
    );
    if (ctx.logs('debug')) run.log.debug({ polls, ageMs }, 'generation not found yet; checking again');
    return run.delayUntil(at);
  }
  if (run.data.recovered && run.data.recoveredFrom === 'failed') {
    return provenNotCreated(
      ctx,
      run,
      `its usage-log row says failed and the provider does not know ${generationId} ${Math.round(ageMs / 1000)} s after it was sent`,
    );
  }
  run.log.warn({ polls, ageMs, providerMessage: message }, 'generation not found past the grace period');
  throw new JobFailure(
    FailureCode.GenerationNotFound,
    `the provider does not know generation ${generationId} ${Math.round(ageMs / 1000)} s after submission ` +
      `(404 past the ${Math.round(config.STATUS_NOT_FOUND_GRACE_MS / 1000)} s grace period): ${message}`,
  );
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
