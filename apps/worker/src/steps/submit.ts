import { DelayedError } from 'bullmq';
import { isAimlApiError, type Generation } from '@vidqueue/aimlapi';
import { FailureCode, type GenerationResult } from '@vidqueue/core/contract';
import { jobKey, updateDataIfLocked, waitForReplicas } from '@vidqueue/core/store';
import type { SpendDecision } from '../spend-caps.js';
import { JobFailure } from '../job-failure.js';
import { retryDelay } from '../schedule.js';
import type { StepContext } from './context.js';
import { describeError } from './describe-error.js';
import type { JobRun } from './run.js';
import { settle } from './settle.js';
import { costKnown, describeCost, withReportedCost } from './cost.js';
import { submittingData } from './submitting-data.js';
import { unknownOutcome } from './unknown-outcome.js';

/**
 * The `pending` step: one create call. Held back by an account pause, a spending cap (job paused: the
 * estimate is reserved against every cap first, atomically) or the create budget (job delayed); else
 * `submitting` is persisted (lock-guarded; maybe already by the run's first script) **before** the
 * call, and the answer (`checking`, generation id, deadline) before the first check.
 */
export async function submit(ctx: StepContext, run: JobRun): Promise<GenerationResult> {
  const { config, now } = ctx;
  const blocked = run.flags.modelBlocked;
  if (blocked) {
    const model = run.data.input.model;
    run.log.debug({ model }, 'model refused for the account moments ago; failing without a call');
    throw new JobFailure(
      FailureCode.ModelNotAllowed,
      `the provider refused model ${model} for this account (no call made; the refusal is trusted for ` +
        `${Math.ceil(blocked.remainingMs / 1000)} s more): ${blocked.reason}`,
    );
  }
  if (run.flags.claimed) {
    run.data = run.flags.claimed;
    run.job.data = run.data;
  } else {
    const paused = run.flags.paused === undefined ? await ctx.pause.get() : run.flags.paused;
    if (paused) {
      run.log.debug({ reason: paused.reason }, 'submissions paused for the account; job delayed');
      const wait = Math.min(paused.remainingMs, config.ACCOUNT_PAUSE_MS);
      return run.delayUntil(now() + wait + Math.round(ctx.random() * 0.1 * config.ACCOUNT_PAUSE_MS));
    }
    const spend = await ctx.spend?.beforeCreate(run.job.id ?? '', run.data);
    if (spend && !spend.go) return pauseForBudget(ctx, run, spend);
    const over = await ctx.budgets?.beforeCreate(run.job.id ?? '', run.flags.backoff);
    if (over) {
      // No longer waiting for a cap (its reservation is held), only for the call budget.
      if (run.data.budgetPause) await run.save({ budgetPause: undefined });
      run.log.debug(over, 'over the create budget; job delayed');
      return run.delayUntil(now() + over.waitMs);
    }
    // Saved only while this run holds the job's lock: if another worker took the job over (our lock
    // expired during a stall), it may be creating right now, so this run sends nothing.
    const submitting = submittingData(run.job, run.data, now());
    if (!(await updateDataIfLocked(ctx.redis, run.job, run.token, submitting))) {
      run.log.warn(
        { clientRequestId: submitting.clientRequestId },
        'lost the job lock before the create call; another worker has it; nothing sent',
      );
      throw new DelayedError();
    }
    run.data = submitting;
  }
  if (!(await markReplicated(ctx, run))) {
    await run.save({ step: 'pending' });
    return run.delayUntil(now() + retryDelay(config, 1, undefined, ctx.random));
  }
  const clientRequestId = run.data.clientRequestId;
  if (ctx.logs('debug')) run.log.debug({ prompt: run.data.input.prompt, clientRequestId }, 'create call');
  let generation: Generation;
  try {
    generation = await ctx.client.create({ ...run.data.input }, { clientRequestId });
  } catch (err) {
    return onCreateError(ctx, run, err);
  }
  const submittedAt = now();
  const deadline = submittedAt + config.GENERATION_DEADLINE_MS;
  const first =
    generation.phase === 'pending' ? await ctx.schedule.firstCheckAt(run.data.input, submittedAt) : undefined;
  const firstCheckAt = first === undefined ? undefined : Math.min(first.at, deadline);
  // The create answer's cost (`meta.usage` or the `x-aimlapi-*` headers), persisted with the id: a
  // provider that reports it only here (the stand-in) never repeats it on a poll.
  const cost = withReportedCost(run.data, generation);
  await run.saveProgressInFlight(
    {
      step: 'checking',
      generationId: generation.id,
      submittedAt,
      deadline,
      polls: 0,
      retries: 0,
      lastStatus: generation.status,
      ...(firstCheckAt !== undefined && { nextCheckAt: firstCheckAt }),
      expectedMs: first?.expectedMs,
      ...cost,
    },
    () =>
      `submitted: generation ${generation.id} (${generation.status})${costKnown(cost) ? `, cost ${describeCost(cost)}` : ''}`,
  );
  run.bind({ generationId: generation.id });
  if (ctx.logs('info')) run.log.info({ clientRequestId, status: generation.status }, 'submitted');
  await ctx.hooks?.submitted?.(run.job, {
    generationId: generation.id,
    submittedAt,
    ...(cost.costUsd !== undefined && { costUsd: cost.costUsd }),
  });
  if (firstCheckAt === undefined) return settle(ctx, run, generation);
  return run.delayUntil(firstCheckAt);
}

/**
 * With `REDIS_WAIT_REPLICAS`, the `submitting` mark must be on that many replicas before the create goes
 * out: a failover (Redis replicates asynchronously) could otherwise promote a replica that never saw
 * it, and the job would be created a second time, unflagged. False: not confirmed in time, send nothing.
 */
async function markReplicated(ctx: StepContext, run: JobRun): Promise<boolean> {
  const wanted = ctx.config.REDIS_WAIT_REPLICAS ?? 0;
  if (wanted === 0) return true;
  const timeoutMs = ctx.config.REDIS_WAIT_TIMEOUT_MS ?? 1_000;
  const acked = await waitForReplicas(ctx.redis, jobKey(run.job), wanted, timeoutMs);
  if (acked >= wanted) return true;
  run.log.warn(
    { acked, wanted, timeoutMs },
    'the submitting mark reached too few Redis replicas; nothing sent, job delayed',
  );
  return false;
}

/**
 * A spending cap holds the job back: it stays `pending` with `budgetPause` in its data (the reason, the
 * cap, one line of figures), one job log line when that changes, the batch row `paused` (hook), and waits
 * in delayed until the pause's next look (a raised cap or a cancel runs it sooner). Nothing is reserved.
 */
async function pauseForBudget(
  ctx: StepContext,
  run: JobRun,
  decision: Extract<SpendDecision, { go: false }>,
): Promise<never> {
  const previous = run.data.budgetPause;
  const pause = { ...decision.pause, since: previous?.since ?? decision.pause.since };
  const line = `paused: ${pause.reason}${pause.cap ? ` (${pause.cap} cap)` : ''}: ${pause.message}`;
  if (previous?.message === pause.message && previous.reason === pause.reason) {
    await run.save({ budgetPause: pause });
  } else {
    await run.saveAndLog({ budgetPause: pause }, line);
    if (ctx.logs('info')) {
      run.log.info({ reason: pause.reason, cap: pause.cap, until: pause.until }, 'paused by a spending cap');
    }
  }
  await ctx.hooks?.paused?.(run.job, pause);
  return run.delayUntil(pause.until);
}

/**
 * A 429 on a create: nothing was created, and the reference says "back off for everyone (honour
 * Retry-After)", which the shared back-off (`budgets.createFailed`) does for every worker. The job
 * waits its turn like any job still in the queue: it spends no retry (`SUBMIT_MAX_RETRIES` is for
 * errors), so a sustained rate or concurrency limit slows a batch down instead of failing its rows
 * `retries_exhausted`; cancel ends the wait. `rateLimited` counts the 429s; the job log says it at
 * the 1st, 2nd, 4th, 8th… so a long wait does not grow the log a line per attempt.
 */
async function onRateLimited(
  ctx: StepContext,
  run: JobRun,
  retryAfterMs: number | undefined,
  message: string,
): Promise<never> {
  const rateLimited = (run.data.rateLimited ?? 0) + 1;
  const wait = retryDelay(ctx.config, rateLimited, retryAfterMs, ctx.random);
  const line = `create refused (429, not counted as a retry): attempt ${rateLimited + 1} in ${wait} ms`;
  const patch = { step: 'pending' as const, rateLimited };
  if ((rateLimited & (rateLimited - 1)) === 0) await run.saveAndLog(patch, line);
  else await run.save(patch);
  run.log.warn({ status: 429, rateLimited, waitMs: wait, err: message }, 'create rate-limited; will retry');
  return run.delayUntil(ctx.now() + wait);
}

/**
 * The create call threw. 429 → `onRateLimited`; other transient (500, 503, refused) → back to
 * `pending`, retried with backoff up to `SUBMIT_MAX_RETRIES`; permanent (400) → `rejected_by_provider`; account (401/403) → the shared
 * pause, job delayed; model not allowed (a 403 naming the model) → that model blocked for
 * `MODEL_BLOCK_MS`, the job fails `model_not_allowed`; unknown outcome (timeout, dropped connection,
 * 502/504/524/408, or an unclassified error) → `unknownOutcome`.
 */
async function onCreateError(ctx: StepContext, run: JobRun, err: unknown): Promise<never> {
  const { config, now } = ctx;
  await ctx.budgets?.createFailed(run.job.id ?? '', err);
  // Anything but a classified client error (a bug, say) may have happened after sending.
  if (!isAimlApiError(err)) return unknownOutcome(ctx, run, `the create call threw ${describeError(err)}`);
  const message = ctx.scrub(err.providerMessage ?? err.message);
  switch (err.kind) {
    case 'transient': {
      if (err.status === 429) return onRateLimited(ctx, run, err.retryAfterMs, message);
      const retries = run.data.retries + 1;
      if (retries > config.SUBMIT_MAX_RETRIES) {
        await run.save({ step: 'pending', retries });
        throw new JobFailure(
          FailureCode.RetriesExhausted,
          `create failed ${retries} times; last error: ${message}`,
        );
      }
      const wait = retryDelay(config, retries, err.retryAfterMs, ctx.random);
      await run.save({ step: 'pending', retries });
      run.log.warn(
        { status: err.status, retries, waitMs: wait, err: ctx.scrub(err.message) },
        'create refused; will retry',
      );
      await run.job.log(`create refused (${err.status ?? 'no answer'}): retry ${retries} in ${wait} ms`);
      return run.delayUntil(now() + wait);
    }
    case 'permanent':
      await run.save({ step: 'pending' });
      throw new JobFailure(FailureCode.Rejected, message);
    case 'model_not_allowed': {
      // Only this model is refused (see isModelNotAllowed in @vidqueue/aimlapi for how it is told from
      // the account-wide 403): fail this job, keep the others, and spare the next jobs of the model a call.
      const model = run.data.input.model;
      await ctx.modelBlock.set(model, message);
      await run.save({ step: 'pending' });
      run.log.warn(
        { status: err.status, model, blockMs: config.MODEL_BLOCK_MS, providerMessage: message },
        'model not allowed for this account: its jobs fail model_not_allowed; other models go on',
      );
      throw new JobFailure(
        FailureCode.ModelNotAllowed,
        `the provider refused model ${model} for this account: ${message}`,
      );
    }
    case 'account': {
      await ctx.pause.set(message, err.status);
      await run.save({ step: 'pending' });
      run.log.error(
        { status: err.status, pauseMs: config.ACCOUNT_PAUSE_MS, providerMessage: message },
        'PROVIDER ACCOUNT PROBLEM: submissions paused for every worker; jobs are kept, not failed. Fix the key or the credits.',
      );
      await run.job.log(`account problem (${err.status ?? '?'}): ${message}; submissions paused`);
      return run.delayUntil(now() + config.ACCOUNT_PAUSE_MS);
    }
    case 'unknown_outcome':
      return unknownOutcome(ctx, run, `no answer came (${ctx.scrub(err.message)})`);
  }
}
