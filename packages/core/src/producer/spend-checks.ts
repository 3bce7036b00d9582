/**
 * The refusals about money, before anything is enqueued: rows that cannot be priced under a cap
 * (UNPRICED_UNDER_CAP, 422), a video whose estimate is over its own cap (MAX_COST_EXCEEDED, 422), and a
 * batch whose estimate is more than the balance (INSUFFICIENT_BALANCE, 402, unless ignore_balance).
 *
 * Unpriced rows under a cap are refused rather than let through with nothing reserved: a cap is a
 * promise that spending stops at it, and a row of unknown price could pass it by any amount. Without a
 * cap they are enqueued and counted apart (`unpriced_rows`), never as 0.
 */
import { formatUsd } from '../contract/budget.js';
import type { BalanceReading } from './balance.js';
import type { ProducerContext } from './context.js';
import type { CostTally } from './estimate.js';
import { ProducerError } from './errors.js';

/** The caps a request is under: its own (`max_cost_usd` of a batch or a video) and the daily limit. */
export type Caps = {
  own?: { kind: 'batch' | 'video'; usd: number } | undefined;
  dailyUsd?: number | undefined;
};

function describeCaps(caps: Caps): string {
  const parts = [
    caps.own && `the ${caps.own.kind}'s max_cost_usd of ${formatUsd(caps.own.usd)}`,
    caps.dailyUsd !== undefined && `SPEND_LIMIT_USD_PER_DAY of ${formatUsd(caps.dailyUsd)}`,
  ].filter(Boolean);
  return parts.join(' and ');
}

/** UNPRICED_UNDER_CAP when a cap applies and some rows cannot be priced. */
export function refuseUnpricedUnderCap(tally: CostTally, caps: Caps): void {
  if (tally.unpricedRows === 0 || (caps.own === undefined && caps.dailyUsd === undefined)) return;
  const models = tally
    .byModel()
    .filter((m) => m.unpriced_rows > 0)
    .map((m) => m.model);
  const why =
    tally.pricesAsOf === null
      ? "the provider's price list could not be read"
      : `no price can be told ahead for ${models.join(', ')}`;
  throw new ProducerError('UNPRICED_UNDER_CAP', {
    message:
      `${tally.unpricedRows} row(s) cannot be priced (${why}) and ${describeCaps(caps)} applies: a cap ` +
      'cannot be kept for a row of unknown cost; nothing was enqueued (remove the cap, or those rows)',
    details: { unpriced_rows: tally.unpricedRows, models },
  });
}

/** MAX_COST_EXCEEDED when a video's estimate is over its own cap. */
export function refuseOverVideoCap(estimateUsd: number, maxCostUsd: number): void {
  if (estimateUsd <= maxCostUsd) return;
  throw new ProducerError('MAX_COST_EXCEEDED', {
    message: `The video is estimated at ${formatUsd(estimateUsd)}, over its max_cost_usd of ${formatUsd(maxCostUsd)}; nothing was enqueued`,
    details: { estimated_cost_usd: estimateUsd, max_cost_usd: maxCostUsd },
  });
}

/**
 * INSUFFICIENT_BALANCE when the balance is known and the priced rows' estimate is over it (both figures
 * in the message and `details`). An unknown balance (no key, the provider not answering) refuses nothing.
 */
export async function checkBalance(ctx: ProducerContext, tally: CostTally): Promise<BalanceReading> {
  const balance = await ctx.balance.read();
  const estimate = tally.estimatedUsd;
  if (!balance.known || estimate === null || estimate <= balance.usd) return balance;
  const unpriced = tally.unpricedRows > 0 ? ` (and ${tally.unpricedRows} unpriced row(s) on top)` : '';
  throw new ProducerError('INSUFFICIENT_BALANCE', {
    message:
      `The batch is estimated at ${formatUsd(estimate)}${unpriced} but the account balance is ` +
      `${formatUsd(balance.usd)}; nothing was enqueued (top up, or send ignore_balance=true to enqueue it anyway)`,
    details: {
      estimated_cost_usd: estimate,
      balance_usd: balance.usd,
      unpriced_rows: tally.unpricedRows,
    },
  });
}
