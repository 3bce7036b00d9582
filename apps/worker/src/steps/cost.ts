import type { GenerationJobData } from '@vidqueue/core/contract';

type Known = Pick<GenerationJobData, 'costUsd' | 'creditsUsed'>;
type Reported = { usdSpent?: number | undefined; creditsUsed?: number | undefined };

function pick(known: number | undefined, reported: number | undefined): number | undefined {
  if (reported !== undefined && reported > 0) return reported;
  return known ?? reported;
}

/**
 * A generation's cost as known so far, updated with what one answer reported (the create answer's
 * `meta.usage` or `x-aimlapi-*` headers, a poll's, or its usage-log row's). One generation is one
 * charge: when several answers report it, they report the **same** charge, so the latest positive
 * figure replaces the known one (never added to it); an absent or zero figure (a pending poll, a log
 * row before completion) never erases a known one, and a zero only fills an empty slot, and only when
 * the other figure is not positive. A failed
 * generation is never billed: `settle` leaves the cost out of a failure.
 */
export function withReportedCost(known: Known, reported: Reported): Known {
  let costUsd = pick(known.costUsd, reported.usdSpent);
  let creditsUsed = pick(known.creditsUsed, reported.creditsUsed);
  // A zero beside a positive figure is not the charge: the `x-aimlapi-*` headers come on every answer and
  // say 0 until the charge is recorded, while `meta.usage` may already carry the credits. 0 USD next to
  // 200000 credits would tell the user a billed video was free: the USD figure stays unknown instead.
  if (costUsd === 0 && creditsUsed !== undefined && creditsUsed > 0) costUsd = undefined;
  if (creditsUsed === 0 && costUsd !== undefined && costUsd > 0) creditsUsed = undefined;
  return {
    ...(costUsd !== undefined && { costUsd }),
    ...(creditsUsed !== undefined && { creditsUsed }),
  };
}

/** Whether the cost is known (a positive figure in USD or credits). */
export function costKnown(known: Known): boolean {
  return (known.costUsd ?? 0) > 0 || (known.creditsUsed ?? 0) > 0;
}

/** `0.1 USD / 200000 credits`, for log lines. */
export function describeCost(known: Known): string {
  const parts = [
    known.costUsd !== undefined ? `${known.costUsd} USD` : undefined,
    known.creditsUsed !== undefined ? `${known.creditsUsed} credits` : undefined,
  ].filter((p): p is string => p !== undefined);
  return parts.join(' / ') || 'unknown';
}
