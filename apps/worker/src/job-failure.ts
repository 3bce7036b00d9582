import { UnrecoverableError } from 'bullmq';
import { formatFailure, type FailureCode } from '@vidqueue/core/contract';
import type { HookFailure } from './hooks.js';

/**
 * A failure the state machine decides: the job fails for good (no BullMQ re-run) with a stable
 * `code` and a human `detail`. Inside the worker both stay typed (the `failed` hook reads them here);
 * its `message` is `<code>: <detail>` (`formatFailure`) because BullMQ stores one string as the job's
 * `failedReason` in Redis, and the API and the SDK `parseFailure` it back in their own processes.
 */
export class JobFailure extends UnrecoverableError {
  readonly code: FailureCode;
  readonly detail: string;

  constructor(code: FailureCode, detail: string) {
    super(formatFailure(code, detail));
    this.code = code;
    this.detail = detail;
    // UnrecoverableError names itself after the subclass; keep the name BullMQ checks (`shouldRetryJob`),
    // `reportFinalFailures` checks and the job's stored stack trace shows.
    this.name = 'UnrecoverableError';
  }

  /** What the `failed` hook receives. */
  toHookFailure(): HookFailure {
    return { code: this.code, message: this.detail };
  }
}
