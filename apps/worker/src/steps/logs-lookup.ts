import { MAX_LOGS_LIMIT } from '@vidqueue/aimlapi';
import type { KnownBackoff } from '../budgets.js';
import type { SeenRow } from '../logs-seen.js';
import type { StepContext } from './context.js';

/**
 * Finding one create attempt in the provider's usage logs (`GET /v2/logs`) by its X-Client-Request-Id:
 * first among the rows any worker has already read (`logsSeen`, no call), then page by page through the
 * attempt's window (newest first, `limit` 100, `offset` until `has_more` is false), each page within
 * the shared logs budget. A pass interrupted by the budget resumes at its offset on the job's next run.
 */

/**
 * Room on both sides of the attempt for the difference between our clock and the provider's (rows carry
 * the provider's request time). Well-run servers differ by far less; a wider window only costs pages.
 */
export const WINDOW_MARGIN_MS = 2 * 60_000;

/** Pages read in one run at most; a longer pass goes on at the next run (the job is not held). */
export const MAX_PAGES_PER_RUN = 20;

export type Attempt = { clientRequestId: string; sentAt: number; model: string };

export type PassProgress = { startedAt?: number | undefined; offset?: number | undefined };

export type LookupOutcome =
  | { kind: 'found'; row: SeenRow; source: 'seen' | 'logs' }
  /** A whole pass over the window found nothing; `startedAt`: when its first page was asked for. */
  | { kind: 'complete'; startedAt: number }
  /** Over the logs budget (or the pages of one run): go on at `offset` after `waitMs`. */
  | { kind: 'wait'; waitMs: number; progress: PassProgress }
  | { kind: 'error'; err: unknown; progress: PassProgress };

/** The attempt's window: from a margin before it was sent to a margin after its call could have ended. */
export function lookupWindow(ctx: StepContext, sentAt: number): { start: number; end: number } {
  return {
    start: sentAt - WINDOW_MARGIN_MS,
    end: sentAt + ctx.config.AIMLAPI_TIMEOUT_MS + WINDOW_MARGIN_MS,
  };
}

/** Continues (or starts) a pass for `attempt`; `fresh`: skip the shared index (rows may have changed since). */
export async function lookUp(
  ctx: StepContext,
  attempt: Attempt,
  progress: PassProgress,
  backoff?: KnownBackoff,
  options: { fresh?: boolean } = {},
): Promise<LookupOutcome> {
  const { start, end } = lookupWindow(ctx, attempt.sentAt);
  if (!options.fresh) {
    const seen = await ctx.logsSeen.find(attempt.clientRequestId, start, end);
    if (seen !== undefined) return { kind: 'found', row: seen, source: 'seen' };
  }

  let { startedAt, offset = 0 } = progress;
  for (let page = 0; ; page += 1) {
    if (page >= MAX_PAGES_PER_RUN) return { kind: 'wait', waitMs: 0, progress: { startedAt, offset } };
    const over = await ctx.budgets?.beforeLogs(page === 0 ? backoff : undefined);
    if (over) return { kind: 'wait', waitMs: over.waitMs, progress: { startedAt, offset } };
    startedAt ??= ctx.now();
    let answer;
    try {
      answer = await ctx.client.logs({
        start: new Date(start),
        end: new Date(end),
        model: attempt.model,
        limit: MAX_LOGS_LIMIT,
        offset,
      });
    } catch (err) {
      await ctx.budgets?.logsFailed(err);
      return { kind: 'error', err, progress: { startedAt, offset } };
    }
    await ctx.logsSeen.record(answer.rows, ctx.now());
    const mine = answer.rows.filter(
      (r) => r.clientRequestId === attempt.clientRequestId && r.inferenceId !== undefined,
    );
    // One attempt, one row; should a gateway retry have left two, the one that made a generation wins.
    const row = mine.find((r) => r.status === 'succeeded') ?? mine[0];
    if (row !== undefined) {
      return {
        kind: 'found',
        source: 'logs',
        row: {
          inferenceId: row.inferenceId!,
          status: row.status,
          ...(row.costUsd !== undefined && { costUsd: row.costUsd }),
          ...(row.creditsUsed !== undefined && { creditsUsed: row.creditsUsed }),
          ...(row.createdAt !== undefined && { createdAt: row.createdAt }),
        },
      };
    }
    if (!answer.hasMore || answer.rows.length === 0) return { kind: 'complete', startedAt };
    offset += answer.rows.length;
  }
}
