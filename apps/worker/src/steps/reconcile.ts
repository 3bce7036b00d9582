import { isAimlApiError } from '@vidqueue/aimlapi';
import { FailureCode, type ReconcileState } from '@vidqueue/core/contract';
import { JobFailure } from '../job-failure.js';
import type { SeenRow } from '../logs-seen.js';
import { retryDelay } from '../schedule.js';
import type { StepContext } from './context.js';
import { withReportedCost } from './cost.js';
import { describeError } from './describe-error.js';
import { lookUp, type PassProgress } from './logs-lookup.js';
import type { JobRun } from './run.js';
import { createAttemptOf } from './submitting-data.js';

/**
 * The `reconciling` step (`UNKNOWN_OUTCOME_POLICY=reconcile`): a create whose outcome is unknown is
 * looked up in the provider's usage logs instead of being sent again or failed. The job never sleeps:
 * between lookups it waits in BullMQ's delayed set.
 *
 * - **found** → its `inference_id` is adopted as the generation id (`recovered`), the job goes on
 *   checking status like any other (deadline from when the attempt was sent).
 * - **not found** by a whole pass that started after the horizon (`RECONCILE_HORIZON_MS`, default
 *   `GENERATION_DEADLINE_MS` + 5 min: the docs say nothing about how late rows appear, nor whether a
 *   running generation has one before it completes) → the provider has no such request: created again
 *   (`RECONCILE_NOT_FOUND=create`, not a duplicate, never flagged) or failed `submission_unknown` (`fail`).
 *   Before the horizon, another pass later (capped exponential backoff with jitter).
 * - **logs unreachable, 429 or 5xx** → back off and look again, never resend; with no whole pass
 *   possible by twice the horizon, `submission_unknown`.
 * - **logs refusing the key (401/403/404) or the query (400)** → back off and look again until the
 *   horizon, then `submission_unknown`: never resend without proof.
 */

/** The lookup state of a job that entered `reconciling`, or a fresh one for a job found in that step without it. */
function stateOf(ctx: StepContext, run: JobRun): ReconcileState | undefined {
  if (run.data.reconcile) return run.data.reconcile;
  const clientRequestId = run.data.clientRequestId;
  if (clientRequestId === undefined) return undefined;
  const now = ctx.now();
  return {
    clientRequestId,
    sentAt: run.data.submitStartedAt ?? now,
    since: now,
    reason: 'found in step reconciling without its lookup state',
    lookups: 0,
    errors: 0,
  };
}

/** When the next lookup runs: capped exponential backoff with full jitter, at least RETRY_BASE_MS / 2. */
function nextLookupAt(ctx: StepContext, attempt: number, retryAfterMs?: number): number {
  const { config } = ctx;
  const wait = retryDelay(config, attempt, retryAfterMs, ctx.random);
  return ctx.now() + Math.max(Math.round(config.RETRY_BASE_MS / 2), wait);
}

/** Enters `reconciling` for the create attempt in `run.data` (its `clientRequestId`, sent at `submitStartedAt`). */
export async function startReconcile(ctx: StepContext, run: JobRun, detail: string): Promise<never> {
  const now = ctx.now();
  const clientRequestId = run.data.clientRequestId;
  if (clientRequestId === undefined) {
    // Nothing to look for (data from an old producer): the only safe answer is not to send again.
    throw new JobFailure(
      FailureCode.SubmissionUnknown,
      `create outcome unknown (${detail}) and the attempt has no client request id to look up; not sent again`,
    );
  }
  const reconcile: ReconcileState = {
    clientRequestId,
    sentAt: run.data.submitStartedAt ?? now,
    since: now,
    reason: detail,
    lookups: 0,
    errors: 0,
  };
  await run.saveAndLogInFlight(
    { step: 'reconciling', reconcile },
    `create outcome unknown (${detail}): looking ${clientRequestId} up in the usage logs`,
  );
  run.log.warn(
    { clientRequestId, reason: detail },
    'create outcome unknown; reconciling with the usage logs',
  );
  return run.delayUntil(nextLookupAt(ctx, 1));
}

/** The `reconciling` step: one lookup (or the rest of a pass). */
export async function reconcile(ctx: StepContext, run: JobRun): Promise<never> {
  const state = stateOf(ctx, run);
  if (state === undefined) {
    throw new JobFailure(
      FailureCode.SubmissionUnknown,
      'step is reconciling but no client request id was saved; the create was not sent again',
    );
  }
  const attempt = {
    clientRequestId: state.clientRequestId,
    sentAt: state.sentAt,
    model: run.data.input.model,
  };
  const progress: PassProgress = {
    startedAt: state.passStartedAt,
    offset: state.offset,
    lastPassAt: state.lastPassAt,
  };
  const outcome = await lookUp(ctx, attempt, progress, run.flags.backoff);
  switch (outcome.kind) {
    case 'found':
      return adopt(ctx, run, state, outcome.row, outcome.source);
    case 'wait': {
      await run.save({ reconcile: withProgress(state, outcome.progress) });
      if (ctx.logs('debug'))
        run.log.debug({ waitMs: outcome.waitMs }, 'usage-log lookup waits for the logs budget');
      return run.delayUntil(ctx.now() + outcome.waitMs);
    }
    case 'error':
      return onLookupError(ctx, run, withProgress(state, outcome.progress), outcome.err);
    case 'complete': {
      const lookups = state.lookups + 1;
      const horizonAt = state.sentAt + ctx.horizonMs;
      if (outcome.startedAt >= horizonAt) {
        return provenNotCreated(
          ctx,
          run,
          `${state.clientRequestId} is not in the usage logs ${Math.round((outcome.startedAt - state.sentAt) / 1000)} s after it was sent (${lookups} lookups)`,
        );
      }
      const next = { ...withProgress(state, {}), lookups, lastPassAt: outcome.startedAt };
      const at = Math.min(nextLookupAt(ctx, lookups + state.errors), Math.max(horizonAt, ctx.now()));
      await run.saveAndLog(
        { reconcile: next },
        `lookup ${lookups}: ${state.clientRequestId} not in the usage logs yet${outcome.shared ? " (another job's pass)" : ''}; again in ${at - ctx.now()} ms`,
      );
      return run.delayUntil(at);
    }
  }
}

function withProgress(state: ReconcileState, progress: PassProgress): ReconcileState {
  const { passStartedAt: _s, offset: _o, ...rest } = state;
  return {
    ...rest,
    ...(progress.startedAt !== undefined && { passStartedAt: progress.startedAt }),
    ...(progress.offset !== undefined && progress.offset > 0 && { offset: progress.offset }),
  };
}

/**
 * The attempt's row was found: its `inference_id` becomes the generation id. A row `failed` with zero
 * cost is ambiguous: a create the provider refused (its inference id is no generation), or a generation
 * that failed later (never billed). Both are adopted and checked: the status check tells them apart. A
 * generation answers with its status (a failed one fails the job `generation_failed`, unbilled); a
 * refused request's id answers 404, and once the 404 grace has passed (`STATUS_NOT_FOUND_GRACE_MS`,
 * from when the attempt was sent) a 404 on an id adopted from a failed row proves nothing was made
 * (`check.ts` → `provenNotCreated`). A 404 on an id from a `succeeded` row stays `generation_not_found`.
 */
async function adopt(
  ctx: StepContext,
  run: JobRun,
  state: ReconcileState,
  row: SeenRow,
  source: 'seen' | 'logs',
): Promise<never> {
  const { config } = ctx;
  const generationId = row.inferenceId;
  const cost = withReportedCost(run.data, { usdSpent: row.costUsd, creditsUsed: row.creditsUsed });
  const submittedAt = state.sentAt;
  await run.saveAndLogInFlight(
    {
      step: 'checking',
      generationId,
      submittedAt,
      deadline: submittedAt + config.GENERATION_DEADLINE_MS,
      polls: 0,
      retries: 0,
      lastStatus: `usage log: ${row.status}`,
      nextCheckAt: ctx.now(),
      reconcile: undefined,
      recovered: true,
      recoveredFrom: row.status,
      ...cost,
    },
    `recovered from the usage logs: ${state.clientRequestId} is generation ${generationId} (row ${row.status}${source === 'seen' ? ', read by another lookup' : ''})`,
  );
  run.bind({ generationId });
  run.log.info(
    { clientRequestId: state.clientRequestId, rowStatus: row.status, lookups: state.lookups, source },
    'unknown outcome recovered from the usage logs',
  );
  await ctx.hooks?.submitted?.(run.job, { generationId, submittedAt });
  await ctx.hooks?.reconciled?.(run.job, {
    outcome: 'recovered',
    clientRequestId: state.clientRequestId,
    generationId,
  });
  return run.delayUntil(ctx.now());
}

/** A lookup failed: back off (never resend) until the point where waiting longer proves nothing. */
async function onLookupError(
  ctx: StepContext,
  run: JobRun,
  state: ReconcileState,
  err: unknown,
): Promise<never> {
  const errors = state.errors + 1;
  const message = ctx.scrub(isAimlApiError(err) ? (err.providerMessage ?? err.message) : describeError(err));
  const status = isAimlApiError(err) ? err.status : undefined;
  // Refusals of our key or query (401/403/404/400) will not heal by themselves: give up at the horizon.
  // Unreachable logs, 429 and 5xx may: a whole pass after the horizon can still prove the answer, so
  // they get as long again.
  const refused = isAimlApiError(err) && err.kind !== 'transient';
  const giveUpAt = state.sentAt + (refused ? 1 : 2) * ctx.horizonMs;
  if (ctx.now() >= giveUpAt) {
    throw new JobFailure(
      FailureCode.SubmissionUnknown,
      `create ${state.clientRequestId}: outcome unknown (${state.reason}) and the usage logs could not be read ` +
        `(${errors} failed lookups, last: ${status ?? 'no answer'} ${message}); not sent again, so it is never paid twice`,
    );
  }
  const retryAfterMs = isAimlApiError(err) ? err.retryAfterMs : undefined;
  const at = nextLookupAt(ctx, state.lookups + errors, retryAfterMs);
  await run.saveAndLog(
    { reconcile: { ...state, errors, lastError: `${status ?? 'no answer'}: ${message}`.slice(0, 300) } },
    `usage-log lookup failed (${status ?? 'no answer'}): again in ${at - ctx.now()} ms`,
  );
  const level = refused ? 'error' : 'warn';
  run.log[level](
    { status, errors, err: message },
    'usage-log lookup failed; will look again (nothing resent)',
  );
  return run.delayUntil(at);
}

/**
 * The usage logs prove the attempt made no generation (no row after the horizon, or a failed row whose
 * id the provider does not know past the 404 grace): `RECONCILE_NOT_FOUND=create` sends the create
 * again (a new attempt, not a duplicate: never flagged), counted against `SUBMIT_MAX_RETRIES` by the
 * attempt number; `fail` fails the job `submission_unknown`.
 */
export async function provenNotCreated(ctx: StepContext, run: JobRun, detail: string): Promise<never> {
  const { config } = ctx;
  const clientRequestId = run.data.clientRequestId ?? '(unknown request)';
  await ctx.hooks?.reconciled?.(run.job, { outcome: 'not_created', clientRequestId });
  if (config.RECONCILE_NOT_FOUND === 'fail') {
    throw new JobFailure(
      FailureCode.SubmissionUnknown,
      `create ${clientRequestId}: nothing was created (${detail}); RECONCILE_NOT_FOUND=fail, so it is not sent again`,
    );
  }
  const attempts = createAttemptOf(run.job.id ?? '', run.data.clientRequestId);
  if (attempts > config.SUBMIT_MAX_RETRIES) {
    throw new JobFailure(
      FailureCode.RetriesExhausted,
      `create attempted ${attempts} times; the last made nothing (${detail})`,
    );
  }
  await run.saveAndLog(
    {
      step: 'pending',
      retries: 0,
      reconcile: undefined,
      generationId: undefined,
      submittedAt: undefined,
      deadline: undefined,
      recovered: undefined,
      recoveredFrom: undefined,
      costUsd: undefined,
      creditsUsed: undefined,
      polls: 0,
    },
    `proven not created (${detail}): creating again`,
  );
  run.log.info({ clientRequestId, detail }, 'usage logs prove nothing was created; creating again');
  return run.delayUntil(ctx.now());
}
