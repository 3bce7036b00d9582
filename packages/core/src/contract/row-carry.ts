/**
 * A batch row across its attempts: which generations it may have paid for, and whether it may have been
 * generated twice. The one place these rules live: the retry (`retryBatch`) writes `retryCarry` and flags
 * the new job; the results and the video view read the carry back.
 */
import type { BatchRowCarry, BatchRowOutcome } from './batch-record.js';
import { FailureCode } from './failure.js';

/** Failures that mean no generation was billed: the provider said it failed, or never had it. */
const UNBILLED_FAILURES: ReadonlySet<string> = new Set([
  FailureCode.GenerationFailed,
  FailureCode.GenerationNotFound,
]);

/** True when a failure with this code leaves a known charge standing (its generation may bill). */
export function failureIsBilled(code: string): boolean {
  return !UNBILLED_FAILURES.has(code);
}

/**
 * True when the attempt that ended with `outcome` may have made a generation that was (or will be)
 * billed without a video for the row, so a retry may make the row twice: it was flagged already, its
 * create's outcome was unknown (`submission_unknown`), or it has a generation id and failed in a way that
 * does not prove the generation dead (`deadline_exceeded`: it may still be finishing at the provider).
 */
export function mayHaveBilledGeneration(outcome: BatchRowOutcome): boolean {
  if (outcome.possible_duplicate === true) return true;
  const code = outcome.error?.code;
  if (code === undefined) return false;
  if (code === FailureCode.SubmissionUnknown) return true;
  return outcome.generation_id !== undefined && failureIsBilled(code);
}

function unique(ids: readonly (string | undefined)[]): string[] {
  return [...new Set(ids.filter((id): id is string => id !== undefined && id !== ''))];
}

/** What a retried row keeps: its earlier carry plus the attempt that just failed. */
export function retryCarry(prior: BatchRowCarry | undefined, outcome: BatchRowOutcome): BatchRowCarry {
  const ids = unique([...(prior?.generation_ids ?? []), outcome.generation_id]);
  const cost = (prior?.cost_micro_usd ?? 0) + Math.round((outcome.cost_usd ?? 0) * 1e6);
  return {
    ...(ids.length > 0 && { generation_ids: ids }),
    ...((prior?.possible_duplicate === true || mayHaveBilledGeneration(outcome)) && {
      possible_duplicate: true as const,
    }),
    ...(cost > 0 && { cost_micro_usd: cost }),
  };
}

/** Every generation of a row, oldest first: its earlier attempts', then the current one's. */
export function rowGenerationIds(prior: BatchRowCarry | undefined, current: string | undefined): string[] {
  return unique([...(prior?.generation_ids ?? []), current]);
}

/** The row's known cost: earlier attempts' charges plus the current one's; null when none is known. */
export function rowCostUsd(prior: BatchRowCarry | undefined, current: number | undefined): number | null {
  if (prior?.cost_micro_usd === undefined && current === undefined) return null;
  return Math.round((prior?.cost_micro_usd ?? 0) + (current ?? 0) * 1e6) / 1e6;
}
