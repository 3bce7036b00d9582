/**
 * The account balance (`GET /v2/billing`, read with the provider key), reused for `BALANCE_CACHE_MS`
 * (30 s) so that uploads, `/healthz` and `GET /v1/balance` do not each ask the provider. Without a key
 * (the API or the SDK's Redis mode run without AIMLAPI_KEY) the balance is unknown and nothing is refused
 * for it; a failed read is unknown too (and not kept, so the next caller asks again).
 */
import type { Balance } from '@vidqueue/aimlapi';
import type { BalanceView } from '../contract/budget.js';

export type BalanceReading =
  { known: true; usd: number; currency: string; checkedAt: number } | { known: false; reason: string };

export type BalanceReader = {
  read(): Promise<BalanceReading>;
};

export const NO_KEY_REASON = 'no provider key (AIMLAPI_KEY unset): the balance is not read or checked';

export function createBalanceReader(options: {
  /** The provider's balance call; absent without a key. */
  read?: (() => Promise<Balance>) | undefined;
  ttlMs: number;
  now?: () => number;
}): BalanceReader {
  const now = options.now ?? Date.now;
  const fetchBalance = options.read;
  let cached: Extract<BalanceReading, { known: true }> | undefined;
  let inFlight: Promise<BalanceReading> | undefined;
  return {
    read() {
      if (!fetchBalance) return Promise.resolve({ known: false, reason: NO_KEY_REASON });
      if (cached && now() - cached.checkedAt < options.ttlMs) return Promise.resolve(cached);
      inFlight ??= fetchBalance()
        .then(
          (b): BalanceReading =>
            (cached = { known: true, usd: b.usd, currency: b.currency, checkedAt: now() }),
        )
        .catch((err: unknown): BalanceReading => ({
          known: false,
          reason: `the provider did not give the balance: ${err instanceof Error ? err.message : String(err)}`,
        }))
        .finally(() => {
          inFlight = undefined;
        });
      return inFlight;
    },
  };
}

/** A reading as the API and the SDK show it. */
export function toBalanceView(reading: BalanceReading): BalanceView {
  return reading.known
    ? {
        balance_usd: reading.usd,
        currency: reading.currency,
        checked_at: new Date(reading.checkedAt).toISOString(),
        reason: null,
      }
    : { balance_usd: null, currency: null, checked_at: null, reason: reading.reason };
}
