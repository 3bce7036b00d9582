import { DelayedError } from 'bullmq';
import type { Redis } from 'ioredis';
import { isAimlApiError, type AimlApiClient, type Generation } from '@vidqueue/aimlapi';
import {
  FailureCode,
  GenerationJobDataSchema,
  vidqKeys,
  type GenerationJob,
  type GenerationJobData,
  type GenerationResult,
} from '@vidqueue/core/contract';
import { readRunFlags, updateDataAndLog, updateDataIfLocked } from '@vidqueue/core/store';
import type { Config, Logger } from '@vidqueue/core/runtime';
import { accountPauseFrom, createAccountPause, type AccountPauseState } from './account-pause.js';
import type { Budgets, KnownBackoff } from './budgets.js';
import type { ProcessorHooks } from './hooks.js';
import { JobFailure } from './job-failure.js';
import {
  fixedCheckSchedule,
  retryDelay,
  type CheckSchedule,
  type Random,
  type ScheduleConfig,
} from './schedule.js';

export type ProcessorConfig = ScheduleConfig &
  Pick<
    Config,
    | 'QUEUE_PREFIX'
    | 'GENERATION_DEADLINE_MS'
    | 'SUBMIT_MAX_RETRIES'
    | 'ACCOUNT_PAUSE_MS'
    | 'UNKNOWN_OUTCOME_POLICY'
  > &
  // Only used to scrub the key out of provider messages, should one ever echo it.
  Partial<Pick<Config, 'AIMLAPI_KEY'>>;

export type ProcessorDeps = {
  config: ProcessorConfig;
  client: AimlApiClient;
  /** For our own keys (cancel flags, the account pause); the worker's connection is fine. */
  redis: Redis;
  logger: Logger;
  /** Expected generation time, to place the first status check; STATUS_FIRST_CHECK_MS when absent. */
  expectedDurationMs?: (model: string, duration: number | undefined) => number | undefined;
  now?: () => number;
  random?: Random;
  /** Observers of each job's lifecycle (batch rows, metrics...). */
  hooks?: ProcessorHooks;
  /** Shared provider call budgets (rates, in-flight cap, 429 back-off); none when absent. */
  budgets?: Budgets;
  /** When status checks run; default: the fixed schedule (with `expectedDurationMs`). */
  checkSchedule?: CheckSchedule;
};

export type GenerationProcessor = (job: GenerationJob, token?: string) => Promise<GenerationResult>;

/** What one run of one job works with; `data` is what was last persisted. */
type Run = {
  job: GenerationJob;
  token: string;
  data: GenerationJobData;
  /** The job's child logger, made on first use (a pino child with redaction costs CPU on every run). */
  readonly log: Logger;
  /** Adds bindings to `log` (before or after it was made). */
  bind(bindings: Record<string, unknown>): void;
  flags: RunFlags;
};

/** The shared flags a run obeys, read together in one script when the run starts. */
type RunFlags = {
  cancelled: boolean;
  /** Read for a `pending` job only. */
  paused?: AccountPauseState | null;
  /** The back-off of the call this run is about to make, when there are budgets. */
  backoff?: KnownBackoff;
  /**
   * The `submitting` step, when the same script already wrote it: the job was pending, nothing held
   * the create back (no cancel, pause or back-off, no create budget to ask) and this run holds the lock.
   */
  claimed?: GenerationJobData;
};

function fail(code: FailureCode, message: string): never {
  throw new JobFailure(code, message);
}

/**
 * The one-job state machine (see ARCHITECTURE.md): `pending` → `submitting` → `checking` → result.
 * Every wait is a `moveToDelayed` + `DelayedError`, so a job between checks holds no worker slot.
 * Progress is persisted before each step's side effect, so a crash never causes a silent second
 * create call: a job found in `submitting` has an unknown outcome and goes to the configured policy.
 */
export function createProcessor(deps: ProcessorDeps): GenerationProcessor {
  const { config, client, redis } = deps;
  const now = deps.now ?? Date.now;
  const random = deps.random ?? Math.random;
  const keys = vidqKeys(config.QUEUE_PREFIX);
  const pause = createAccountPause(redis, config.QUEUE_PREFIX, config.ACCOUNT_PAUSE_MS);
  const schedule = deps.checkSchedule ?? fixedCheckSchedule(config, deps.expectedDurationMs, random);

  /** Whether the logger writes at `level`: the hot path skips building its child logger otherwise. */
  const logs = (level: 'debug' | 'info'): boolean => deps.logger.isLevelEnabled(level);

  const scrub = (text: string): string =>
    config.AIMLAPI_KEY ? text.split(config.AIMLAPI_KEY).join('[redacted]') : text;

  async function save(run: Run, patch: Partial<GenerationJobData>): Promise<void> {
    run.data = { ...run.data, ...patch };
    await run.job.updateData(run.data);
  }

  /** `save` and a job log line, one round trip. */
  async function saveAndLog(run: Run, patch: Partial<GenerationJobData>, line: string): Promise<void> {
    run.data = { ...run.data, ...patch };
    await updateDataAndLog(redis, run.job, run.data, line);
  }

  async function delayUntil(run: Run, at: number): Promise<never> {
    await run.job.moveToDelayed(at, run.token);
    throw new DelayedError();
  }

  /** Next clientRequestId: `<jobId>-<n>`, n counting every create call this job ever made. */
  function nextClientRequestId(jobId: string, previous: string | undefined): string {
    const base = jobId.replace(/[^A-Za-z0-9._:-]/g, '_').slice(0, 100);
    const last = previous?.startsWith(`${base}-`) ? Number(previous.slice(base.length + 1)) : 0;
    return `${base}-${Number.isInteger(last) ? last + 1 : 1}`;
  }

  /** The data of the `submitting` step, written (lock-guarded) before a create call goes out. */
  function submittingData(job: GenerationJob, data: GenerationJobData): GenerationJobData {
    const clientRequestId = nextClientRequestId(job.id ?? '', data.clientRequestId);
    return { ...data, step: 'submitting', clientRequestId, submitStartedAt: now() };
  }

  /**
   * One round trip (one script) for the cancel flag, the account pause (creates) and the call's
   * back-off; for a pending job whose create needs no budget decision, also the `submitting` claim.
   */
  async function readFlags(job: GenerationJob, token: string, data: GenerationJobData): Promise<RunFlags> {
    const jobId = job.id ?? '';
    const creating = data.step === 'pending';
    const withBackoff = deps.budgets !== undefined && data.step !== 'submitting';
    const claim = creating && !deps.budgets?.createsGated ? submittingData(job, data) : undefined;
    const reply = await readRunFlags(
      redis,
      job,
      token,
      {
        cancel: keys.cancel(jobId),
        accountPause: creating ? keys.accountPause : '',
        backoff: withBackoff ? keys.backoff(creating ? 'create' : 'status') : '',
      },
      claim,
    );
    const [cancelled, pauseFields, pausePttl, backoffPttl, claimed] = reply;
    const flags: RunFlags = { cancelled: cancelled === 1 };
    if (claim && claimed === 1) flags.claimed = claim;
    if (creating) {
      const fields: Record<string, string> = {};
      for (let i = 0; i + 1 < pauseFields.length; i += 2)
        fields[pauseFields[i] ?? ''] = pauseFields[i + 1] ?? '';
      flags.paused = accountPauseFrom(fields, pausePttl, config.ACCOUNT_PAUSE_MS);
    }
    if (withBackoff) flags.backoff = { backoffPttl };
    return flags;
  }

  async function submit(run: Run): Promise<GenerationResult> {
    if (run.flags.claimed) {
      run.data = run.flags.claimed;
      run.job.data = run.data;
    } else {
      const paused = run.flags.paused === undefined ? await pause.get() : run.flags.paused;
      if (paused) {
        run.log.debug({ reason: paused.reason }, 'submissions paused for the account; job delayed');
        const wait = Math.min(paused.remainingMs, config.ACCOUNT_PAUSE_MS);
        return delayUntil(run, now() + wait + Math.round(random() * 0.1 * config.ACCOUNT_PAUSE_MS));
      }
      const over = await deps.budgets?.beforeCreate(run.job.id ?? '', run.flags.backoff);
      if (over) {
        run.log.debug(over, 'over the create budget; job delayed');
        return delayUntil(run, now() + over.waitMs);
      }
      // Saved only while this run holds the job's lock: if another worker took the job over (our lock
      // expired during a stall), it may be creating right now, so this run sends nothing.
      const submitting = submittingData(run.job, run.data);
      if (!(await updateDataIfLocked(redis, run.job, run.token, submitting))) {
        run.log.warn(
          { clientRequestId: submitting.clientRequestId },
          'lost the job lock before the create call; another worker has it; nothing sent',
        );
        throw new DelayedError();
      }
      run.data = submitting;
    }
    const clientRequestId = run.data.clientRequestId;
    if (logs('debug')) run.log.debug({ prompt: run.data.input.prompt, clientRequestId }, 'create call');
    let generation: Generation;
    try {
      generation = await client.create({ ...run.data.input }, { clientRequestId });
    } catch (err) {
      return onCreateError(run, err);
    }
    const submittedAt = now();
    const deadline = submittedAt + config.GENERATION_DEADLINE_MS;
    const first =
      generation.phase === 'pending' ? await schedule.firstCheckAt(run.data.input, submittedAt) : undefined;
    const firstCheckAt = first === undefined ? undefined : Math.min(first.at, deadline);
    await saveAndLog(
      run,
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
      },
      `submitted: generation ${generation.id} (${generation.status})`,
    );
    run.bind({ generationId: generation.id });
    if (logs('info')) run.log.info({ clientRequestId, status: generation.status }, 'submitted');
    await deps.hooks?.submitted?.(run.job, { generationId: generation.id, submittedAt });
    if (firstCheckAt === undefined) return settle(run, generation);
    return delayUntil(run, firstCheckAt);
  }

  async function onCreateError(run: Run, err: unknown): Promise<never> {
    await deps.budgets?.createFailed(run.job.id ?? '', err);
    // Anything but a classified client error (a bug, say) may have happened after sending.
    if (!isAimlApiError(err)) return unknownOutcome(run, `the create call threw ${describe(err)}`);
    const message = scrub(err.providerMessage ?? err.message);
    switch (err.kind) {
      case 'transient': {
        const retries = run.data.retries + 1;
        if (retries > config.SUBMIT_MAX_RETRIES) {
          await save(run, { step: 'pending', retries });
          fail(FailureCode.RetriesExhausted, `create failed ${retries} times; last error: ${message}`);
        }
        const wait = retryDelay(config, retries, err.retryAfterMs, random);
        await save(run, { step: 'pending', retries });
        run.log.warn(
          { status: err.status, retries, waitMs: wait, err: scrub(err.message) },
          'create refused; will retry',
        );
        await run.job.log(`create refused (${err.status ?? 'no answer'}): retry ${retries} in ${wait} ms`);
        return delayUntil(run, now() + wait);
      }
      case 'permanent':
        await save(run, { step: 'pending' });
        return fail(FailureCode.Rejected, message);
      case 'account': {
        await pause.set(message, err.status);
        await save(run, { step: 'pending' });
        run.log.error(
          { status: err.status, pauseMs: config.ACCOUNT_PAUSE_MS, providerMessage: message },
          'PROVIDER ACCOUNT PROBLEM: submissions paused for every worker; jobs are kept, not failed. Fix the key or the credits.',
        );
        await run.job.log(`account problem (${err.status ?? '?'}): ${message}; submissions paused`);
        return delayUntil(run, now() + config.ACCOUNT_PAUSE_MS);
      }
      case 'unknown_outcome':
        return unknownOutcome(run, `no answer came (${scrub(err.message)})`);
    }
  }

  /** A create call may have created a generation: never send it again silently. */
  async function unknownOutcome(run: Run, detail: string): Promise<never> {
    const what = `create call ${run.data.clientRequestId ?? '(unknown request)'}: ${detail}`;
    if (config.UNKNOWN_OUTCOME_POLICY === 'fail') {
      run.log.warn({ clientRequestId: run.data.clientRequestId }, 'create outcome unknown; failing the job');
      return fail(
        FailureCode.SubmissionUnknown,
        `${what}; the provider may have created a generation, so it was not sent again`,
      );
    }
    const retries = run.data.retries + 1;
    if (retries > config.SUBMIT_MAX_RETRIES) {
      fail(FailureCode.RetriesExhausted, `${what}; gave up after ${retries - 1} resubmissions`);
    }
    await save(run, { step: 'pending', retries, possibleDuplicate: true });
    run.log.warn(
      { clientRequestId: run.data.clientRequestId },
      'create outcome unknown; resubmitting (possible duplicate)',
    );
    await run.job.log(`create outcome unknown: resubmitting, possible duplicate`);
    return delayUntil(run, now() + retryDelay(config, retries, undefined, random));
  }

  async function check(run: Run): Promise<GenerationResult> {
    const { generationId, deadline } = run.data;
    if (!generationId || deadline === undefined) {
      return fail(FailureCode.InvalidJob, 'step is checking but generationId or deadline is missing');
    }
    const over = await deps.budgets?.beforeCheck(run.flags.backoff);
    if (over) {
      run.log.debug(over, 'over the status budget; check delayed');
      return delayUntil(run, now() + over.waitMs);
    }
    const scheduledAt = run.data.nextCheckAt;
    const startedAt = now();
    const lateMs = scheduledAt === undefined ? undefined : Math.max(0, startedAt - scheduledAt);
    const previousCheckAt = run.data.lastCheckAt ?? run.data.submittedAt;
    let generation: Generation;
    try {
      generation = await client.get(generationId);
    } catch (err) {
      return onCheckError(run, generationId, deadline, err);
    }
    const polls = run.data.polls + 1;
    const nextAt =
      generation.phase === 'pending'
        ? Math.min(
            await schedule.nextCheckAt(run.data.input, {
              submittedAt: run.data.submittedAt ?? now(),
              polls,
              now: now(),
              ...(run.data.expectedMs !== undefined && { expectedMs: run.data.expectedMs }),
            }),
            deadline,
          )
        : undefined;
    await saveAndLog(
      run,
      {
        polls,
        lastStatus: generation.status,
        lastCheckAt: startedAt,
        ...(nextAt !== undefined && { nextCheckAt: nextAt }),
      },
      `check ${polls}: ${generation.status}`,
    );
    if (logs('debug')) run.log.debug({ polls, status: generation.status }, 'status checked');
    await deps.hooks?.checked?.(run.job, {
      status: generation.status,
      phase: generation.phase,
      polls,
      at: now(),
      ...(lateMs !== undefined && { lateMs }),
      ...(previousCheckAt !== undefined && { previousCheckAt }),
    });
    // A finished generation is kept even when it is late: it has been paid for.
    if (generation.phase !== 'pending') return settle(run, generation);
    if (now() >= deadline || nextAt === undefined) return deadlineExceeded(run, generationId, deadline);
    return delayUntil(run, nextAt);
  }

  async function onCheckError(
    run: Run,
    generationId: string,
    deadline: number,
    err: unknown,
  ): Promise<never> {
    await deps.budgets?.checkFailed(err);
    if (isAimlApiError(err) && err.kind === 'permanent') {
      fail(FailureCode.Rejected, scrub(err.providerMessage ?? err.message));
    }
    if (now() >= deadline) return deadlineExceeded(run, generationId, deadline);
    // Status checks are reads, safe to repeat until the deadline. An account error on a check does
    // not pause anything: the generation exists and is being paid for; keep asking.
    const retries = run.data.retries + 1;
    const retryAfterMs = isAimlApiError(err) ? err.retryAfterMs : undefined;
    const wait = retryDelay(config, retries, retryAfterMs, random);
    const retryAt = Math.min(now() + wait, deadline);
    await save(run, { retries, nextCheckAt: retryAt });
    const message = scrub(isAimlApiError(err) ? (err.providerMessage ?? err.message) : describe(err));
    const level = isAimlApiError(err) && err.kind === 'account' ? 'error' : 'warn';
    run.log[level]({ retries, waitMs: wait, err: message }, 'status check failed; will retry');
    await run.job.log(`check failed (${message}): retry in ${wait} ms`);
    return delayUntil(run, retryAt);
  }

  function deadlineExceeded(run: Run, generationId: string, deadline: number): never {
    const seconds = Math.round(
      (deadline - (run.data.submittedAt ?? deadline - config.GENERATION_DEADLINE_MS)) / 1000,
    );
    run.log.warn({ polls: run.data.polls, lastStatus: run.data.lastStatus }, 'deadline exceeded');
    return fail(
      FailureCode.DeadlineExceeded,
      `generation ${generationId} did not finish within ${seconds} s (last status: ${run.data.lastStatus ?? 'unknown'})`,
    );
  }

  /** The generation reached a terminal phase: return the result or fail with the provider's message. */
  function settle(run: Run, generation: Generation): GenerationResult {
    if (generation.phase === 'failed') {
      const message = scrub(generation.error ?? `the provider reported status ${generation.status}`);
      run.log.warn({ status: generation.status, polls: run.data.polls }, 'generation failed at the provider');
      fail(FailureCode.GenerationFailed, message);
    }
    if (!generation.videoUrl) {
      // The client already reports this as failed; kept here so a result never lacks its video.
      fail(
        FailureCode.GenerationFailed,
        `the provider reported status ${generation.status} but gave no video URL`,
      );
    }
    const result: GenerationResult = {
      videoUrl: generation.videoUrl,
      generationId: generation.id,
      model: run.data.input.model,
      polls: run.data.polls,
      submittedAt: run.data.submittedAt ?? now(),
      completedAt: now(),
      ...(generation.usdSpent !== undefined && { costUsd: generation.usdSpent }),
      ...(generation.creditsUsed !== undefined && { creditsUsed: generation.creditsUsed }),
      ...(generation.contentType !== undefined && { contentType: generation.contentType }),
      ...(generation.fileSize !== undefined && { fileSize: generation.fileSize }),
      ...(run.data.possibleDuplicate && { possibleDuplicate: true }),
    };
    if (logs('info')) {
      run.log.info(
        { polls: result.polls, costUsd: result.costUsd, ms: result.completedAt - result.submittedAt },
        'completed',
      );
    }
    return result;
  }

  async function processGeneration(job: GenerationJob, token: string | undefined): Promise<GenerationResult> {
    if (!token) throw new Error('the generation processor needs the job lock token');
    const parsed = GenerationJobDataSchema.safeParse(job.data);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
      fail(FailureCode.InvalidJob, issues.join('; '));
    }
    const data = parsed.data;
    let bindings: Record<string, unknown> = {
      jobId: job.id,
      ...(data.batchId !== undefined && { batchId: data.batchId }),
      ...(data.generationId !== undefined && { generationId: data.generationId }),
    };
    let log: Logger | undefined;
    const flags = await readFlags(job, token, data);
    const run: Run = {
      job,
      token,
      data,
      flags,
      get log() {
        return (log ??= deps.logger.child(bindings));
      },
      bind(extra) {
        if (log) log = log.child(extra);
        else bindings = { ...bindings, ...extra };
      },
    };
    if (flags.cancelled) {
      run.log.info({ step: data.step }, 'cancelled by request');
      fail(FailureCode.Cancelled, 'cancelled by request');
    }
    switch (data.step) {
      case 'pending':
        return submit(run);
      case 'submitting':
        return unknownOutcome(run, 'the worker stopped after sending it and before saving the generation id');
      case 'checking':
        return check(run);
    }
  }

  return async function processWithHooks(job, token) {
    const hooks = deps.hooks;
    if (!hooks?.completed && !hooks?.failed) return processGeneration(job, token);
    let result: GenerationResult;
    try {
      result = await processGeneration(job, token);
    } catch (err) {
      if (err instanceof JobFailure) await hooks.failed?.(job, err.toHookFailure());
      throw err;
    }
    await hooks.completed?.(job, result);
    return result;
  };
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
