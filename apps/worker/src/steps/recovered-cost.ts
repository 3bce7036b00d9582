import type { Generation } from '@vidqueue/aimlapi';
import type { GenerationResult } from '@vidqueue/core/contract';
import { retryDelay } from '../schedule.js';
import type { StepContext } from './context.js';
import { costKnown, describeCost, withReportedCost } from './cost.js';
import { lookUp } from './logs-lookup.js';
import type { JobRun } from './run.js';
import { settle } from './settle.js';

/**
 * Usage-log lookups for the charge of a recovered generation at most (then it settles without a cost):
 * enough for a row that shows its cost a little after completion, without holding a finished video long.
 */
export const RECOVERED_COST_LOOKUPS = 5;

/**
 * A generation recovered from the usage logs completed, and no answer we got reported its charge: a
 * provider that reports cost only on the create answer (the stand-in) said it in the answer we lost. Its
 * usage-log row carries the charge once the generation completed, so the row is read again (fresh pages,
 * not the shared index, which may hold the row from before completion). Found → settle with it; not yet
 * → the next check re-polls and looks again, at most `RECOVERED_COST_LOOKUPS` times.
 */
export async function recoveredCost(
  ctx: StepContext,
  run: JobRun,
  generation: Generation,
): Promise<GenerationResult> {
  const lookups = run.data.costLookups ?? 0;
  const clientRequestId = run.data.clientRequestId;
  if (
    lookups >= RECOVERED_COST_LOOKUPS ||
    clientRequestId === undefined ||
    run.data.submittedAt === undefined
  ) {
    run.log.warn(
      { lookups },
      'recovered generation completed; its cost is not in the usage logs yet, settled without it',
    );
    return settle(ctx, run, generation);
  }
  const outcome = await lookUp(
    ctx,
    { clientRequestId, sentAt: run.data.submittedAt, model: run.data.input.model },
    {},
    undefined,
    { fresh: true },
  );
  if (outcome.kind === 'found') {
    const cost = withReportedCost(run.data, {
      usdSpent: outcome.row.costUsd,
      creditsUsed: outcome.row.creditsUsed,
    });
    if (costKnown(cost)) {
      await run.saveAndLog({ ...cost }, `cost from the usage logs: ${describeCost(cost)}`);
      return settle(ctx, run, generation);
    }
  }
  const waitMs =
    outcome.kind === 'wait'
      ? outcome.waitMs
      : Math.max(
          Math.round(ctx.config.RETRY_BASE_MS / 2),
          retryDelay(ctx.config, lookups + 1, undefined, ctx.random),
        );
  const counted = outcome.kind === 'wait' ? lookups : lookups + 1;
  await run.save({ costLookups: counted, nextCheckAt: ctx.now() + waitMs });
  return run.delayUntil(ctx.now() + waitMs);
}
