import type { Generation } from '@vidqueue/aimlapi';
import type { BudgetPause, GenerationJob, GenerationResult } from '@vidqueue/core/contract';

/**
 * A job's final failure as hooks see it: a `FailureCode` and the detail after it (the job's
 * `failedReason` is `<code>: <message>`). From the state machine it comes from its `JobFailure`;
 * from `reportFinalFailures` (a run BullMQ itself gave up on) it is parsed from BullMQ's reason, and
 * the code is then `internal_error` unless the reason carried one of ours.
 */
export type HookFailure = { code: string; message: string };

/**
 * Called as a job moves through its steps, after the step's state is persisted. A hook that throws
 * breaks the run like any unplanned error: BullMQ re-runs the job (GENERATION_ATTEMPTS) from its
 * persisted step. Hooks must be idempotent: a crash or a re-run can replay them.
 */
export type ProcessorHooks = {
  /** The provider accepted the create call; `costUsd` when its answer reported the charge. */
  submitted?(
    job: GenerationJob,
    info: { generationId: string; submittedAt: number; costUsd?: number },
  ): Promise<void> | void;
  /**
   * The job was not submitted: a spending cap holds it back (or its price cannot be told under one). It
   * waits in delayed until `pause.until`, step `pending`.
   */
  paused?(job: GenerationJob, pause: BudgetPause): Promise<void> | void;
  /** A status check answered (before the job is delayed again or settled). */
  checked?(
    job: GenerationJob,
    info: {
      status: string;
      phase: Generation['phase'];
      polls: number;
      at: number;
      /** How long after its scheduled time (`nextCheckAt`) this check started, when one was scheduled. */
      lateMs?: number;
      /** When the previous check (or else the create answer) happened: the generation was pending then. */
      previousCheckAt?: number;
      /** The charge, when this answer reported a figure that was not known before. */
      costUsd?: number;
    },
  ): Promise<void> | void;
  /**
   * An unknown-outcome create was settled from the provider's usage logs: `recovered` (its generation
   * id adopted) or `not_created` (the logs prove nothing was made; the job creates again or fails).
   */
  reconciled?(
    job: GenerationJob,
    info: { outcome: 'recovered' | 'not_created'; clientRequestId: string; generationId?: string },
  ): Promise<void> | void;
  /** The video is ready; runs before the result is returned to BullMQ. */
  completed?(job: GenerationJob, result: GenerationResult): Promise<void> | void;
  /** The job fails for good with this code and message; runs before BullMQ records the failure. */
  failed?(job: GenerationJob, failure: HookFailure): Promise<void> | void;
};

/**
 * One set of hooks that calls each given set in order (each awaited), so independent features
 * (budgets, batch rows, metrics...) can all observe a job. Absent entries are skipped: each event's
 * list is made once here, so a run pays only for the hooks that exist (a busy worker calls these
 * three times per video), and a hook that answers synchronously is not awaited.
 */
export function composeHooks(...list: (ProcessorHooks | undefined)[]): ProcessorHooks {
  const all = list.filter((h): h is ProcessorHooks => h !== undefined);
  return {
    submitted: chain(all, (h) => h.submitted?.bind(h)),
    paused: chain(all, (h) => h.paused?.bind(h)),
    checked: chain(all, (h) => h.checked?.bind(h)),
    reconciled: chain(all, (h) => h.reconciled?.bind(h)),
    completed: chain(all, (h) => h.completed?.bind(h)),
    failed: chain(all, (h) => h.failed?.bind(h)),
  };
}

type Hook<A extends unknown[]> = (...args: A) => Promise<void> | void;

/** The event's hooks of every set, in order, as one hook (each awaited when it returns a promise). */
function chain<A extends unknown[]>(
  all: readonly ProcessorHooks[],
  pick: (h: ProcessorHooks) => Hook<A> | undefined,
): Hook<A> {
  const hooks = all.map(pick).filter((h): h is Hook<A> => h !== undefined);
  return async (...args) => {
    for (const hook of hooks) {
      const pending = hook(...args);
      if (pending) await pending;
    }
  };
}
