/**
 * Spending caps: what a paused row or video records, and the money arithmetic every process shares.
 * Amounts are kept in Redis as integer micro-dollars (1 USD = 1 000 000), so sums made by many workers
 * at once never drift; they are shown in USD.
 */
import { z } from 'zod';

/**
 * Why a row waits instead of being submitted: `budget_exceeded` (its estimated cost would pass a cap)
 * or `price_unknown` (a cap applies and its price cannot be told, so no cap could be kept).
 */
export const PAUSE_REASONS = ['budget_exceeded', 'price_unknown'] as const;
export type PauseReason = (typeof PAUSE_REASONS)[number];

/** Which cap held a row back: the batch's `max_cost_usd`, the video's own, or `SPEND_LIMIT_USD_PER_DAY`. */
export const SPEND_CAPS = ['batch', 'video', 'daily'] as const;
export type SpendCap = (typeof SPEND_CAPS)[number];

/** Set in the job data while the job waits for a cap (step `pending`); cleared when it is submitted. */
export const BudgetPauseSchema = z.object({
  reason: z.enum(PAUSE_REASONS),
  cap: z.enum(SPEND_CAPS).optional(),
  /** One line for people: the cap, what is committed under it, this row's estimate. */
  message: z.string(),
  /** Epoch ms the job first paused. */
  since: z.number(),
  /** Epoch ms of its next look (UTC midnight for the daily limit). */
  until: z.number().optional(),
});
export type BudgetPause = z.infer<typeof BudgetPauseSchema>;

export const MICRO_PER_USD = 1_000_000;

/** USD → integer micro-dollars. */
export function toMicroUsd(usd: number): number {
  return Math.round(usd * MICRO_PER_USD);
}

/** Integer micro-dollars → USD (rounded to the micro-dollar). */
export function fromMicroUsd(micro: number): number {
  return Math.round(micro) / MICRO_PER_USD;
}

/** The UTC day an epoch-ms instant falls in, `YYYY-MM-DD`: the daily limit's period. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Epoch ms of the next UTC midnight after `ms`: when the daily limit starts again. */
export function nextUtcMidnight(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
}

/** `1.2345 USD` with up to 6 decimals and no trailing zeros, for messages. */
export function formatUsd(usd: number): string {
  return `${Number(usd.toFixed(6))} USD`;
}

/** The provider account's balance as the API and the SDK show it (`GET /v1/balance`, `/healthz`). */
export const BalanceViewSchema = z
  .object({
    balance_usd: z.number().nullable().describe('The account balance (GET /v2/billing); null when unknown'),
    currency: z.string().nullable(),
    checked_at: z.iso
      .datetime()
      .nullable()
      .describe('When the provider gave it (reused for BALANCE_CACHE_MS)'),
    reason: z
      .string()
      .nullable()
      .describe('Why it is unknown: no provider key (AIMLAPI_KEY unset), or the provider did not answer'),
  })
  .meta({ id: 'Balance' });
export type BalanceView = z.infer<typeof BalanceViewSchema>;
