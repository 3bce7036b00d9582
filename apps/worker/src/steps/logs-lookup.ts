import { MAX_LOGS_LIMIT } from '@vidqueue/aimlapi';
import type { KnownBackoff } from '../budgets.js';
import type { LogsWindow, SeenRow } from '../logs-seen.js';
import type { StepContext } from './context.js';

/**
 * Finding one create attempt in the provider's usage logs (`GET /v2/logs`) by its X-Client-Request-Id:
 * first among the rows any worker has already read (`logsSeen`, no call), or in a whole pass another job
 * made over the same window since this one last looked (no call either); else page by page through the
 * attempt's window (newest first, `limit` 100, `offset` until `has_more` is false), one worker per window
 * at a time, each page within the shared logs budget. A pass interrupted by the budget resumes at its
 * offset on the job's next run.
 */

/**
 * Room on both sides of the attempt for the difference between our clock and the provider's (rows carry
 * the provider's request time). Well-run servers differ by far less; a wider window only costs pages.
 */
export const WINDOW_MARGIN_MS = 2 * 60_000;

/** Windows start and end on whole minutes, so attempts sent in the same minute share one (and its passes). */
export const WINDOW_ALIGN_MS = 60_000;

/** Pages read in one run at most; a longer pass goes on at the next run (the job is not held). */
export const MAX_PAGES_PER_RUN = 20;

/** How long one worker may page through a window before another may start its own pass. */
export const PASS_LOCK_MS = 30_000;

export type Attempt = { clientRequestId: string; sentAt: number; model: string };

export type PassProgress = {
  /** When the pass in progress asked for its first page. */
  startedAt?: number | undefined;
  /** The next page's offset in the pass in progress. */
  offset?: number | undefined;
  /** When the latest whole pass this lookup already counted started (its own or shared). */
  lastPassAt?: number | undefined;
};

export type LookupOutcome =
  | { kind: 'found'; row: SeenRow; source: 'seen' | 'logs' }
  /** A whole pass over the window found nothing; `startedAt`: when its first page was asked for. */
  | { kind: 'complete'; startedAt: number; shared: boolean }
  /** Over the logs budget, another worker paging the window, or the pages of one run: go on after `waitMs`. */
  | { kind: 'wait'; waitMs: number; progress: PassProgress }
  | { kind: 'error'; err: unknown; progress: PassProgress };

/** The attempt's window: from a margin before it was sent to a margin after its call could have ended, on whole minutes. */
export function lookupWindow(ctx: StepContext, attempt: Pick<Attempt, 'sentAt' | 'model'>): LogsWindow {
  const from = attempt.sentAt - WINDOW_MARGIN_MS;
  const to = attempt.sentAt + ctx.config.AIMLAPI_TIMEOUT_MS + WINDOW_MARGIN_MS;
  return {
    model: attempt.model,
    start: Math.floor(from / WINDOW_ALIGN_MS) * WINDOW_ALIGN_MS,
    end: Math.ceil(to / WINDOW_ALIGN_MS) * WINDOW_ALIGN_MS,
  };
}

/**
 * Continues (or starts) a lookup for `attempt`. `fresh`: skip what other lookups saw (the recovered-cost
 * lookup needs the row as it is now) and page on its own.
 */
export async function lookUp(
  ctx: StepContext,
  attempt: Attempt,
  progress: PassProgress,
  backoff?: KnownBackoff,
  options: { fresh?: boolean } = {},
): Promise<LookupOutcome> {
  const window = lookupWindow(ctx, attempt);
  let { startedAt, offset = 0 } = progress;
  if (!options.fresh) {
    // The pass record first, then the rows: a pass records its rows before itself.
    const shared = await ctx.logsSeen.lastPass(window);
    const seen = await ctx.logsSeen.find(attempt.clientRequestId, window.start, window.end);
    if (seen !== undefined) return { kind: 'found', row: seen, source: 'seen' };
    // A whole pass that started after the attempt was sent, newer than the last one counted, and did
    // not see its row: the same answer this job's own pass would give now.
    if (shared !== undefined && shared > attempt.sentAt && shared > (progress.lastPassAt ?? 0)) {
      return { kind: 'complete', startedAt: shared, shared: true };
    }
    if (!(await ctx.logsSeen.claimPass(window, PASS_LOCK_MS, attempt.clientRequestId))) {
      // Another worker is paging through this window: its pass will answer for this job too.
      return { kind: 'wait', waitMs: 500 + Math.round(ctx.random() * 1_000), progress };
    }
  }
  // The id and every alias, read once per lookup: a row may carry the model's new id after a rename.
  const models = [...(await ctx.modelNames(attempt.model))];
  const finish = async (): Promise<void> => {
    if (!options.fresh) await ctx.logsSeen.releasePass(window);
  };
  for (let page = 0; ; page += 1) {
    if (page >= MAX_PAGES_PER_RUN)
      return { kind: 'wait', waitMs: 0, progress: { ...progress, startedAt, offset } };
    const over = await ctx.budgets?.beforeLogs(page === 0 ? backoff : undefined);
    if (over) return { kind: 'wait', waitMs: over.waitMs, progress: { ...progress, startedAt, offset } };
    startedAt ??= ctx.now();
    let answer;
    try {
      answer = await ctx.client.logs({
        start: new Date(window.start),
        end: new Date(window.end),
        model: models,
        limit: MAX_LOGS_LIMIT,
        offset,
      });
    } catch (err) {
      await ctx.budgets?.logsFailed(err);
      await finish();
      return { kind: 'error', err, progress: { ...progress, startedAt, offset } };
    }
    await ctx.logsSeen.record(answer.rows, ctx.now());
    const mine = answer.rows.filter(
      (r) => r.clientRequestId === attempt.clientRequestId && r.inferenceId !== undefined,
    );
    // One attempt, one row; should a gateway retry have left two, the one that made a generation wins.
    const row = mine.find((r) => r.status === 'succeeded') ?? mine[0];
    if (row !== undefined) {
      await finish();
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
    if (!answer.hasMore || answer.rows.length === 0) {
      // Its rows are recorded (above, page by page): now the pass itself, for the window's other jobs.
      if (!options.fresh) await ctx.logsSeen.passDone(window, startedAt);
      await finish();
      return { kind: 'complete', startedAt, shared: false };
    }
    offset += answer.rows.length;
  }
}
