import type { NewGenerationJobData } from '@vidqueue/core';

/** As the API: an Idempotency-Key is remembered for 24 hours. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
/** As the API: a cancel request is remembered for 7 days. */
export const CANCEL_TTL_SECONDS = 7 * 24 * 3600;

/** Canonical JSON (sorted keys) of what a request asked for; the same rule as POST /v1/videos. */
export function fingerprint(data: Pick<NewGenerationJobData, 'input' | 'customId' | 'metadata'>): string {
  const sort = (v: unknown): unknown =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>)
            .filter(([, x]) => x !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .map(([k, x]) => [k, sort(x)]),
        )
      : v;
  return JSON.stringify(sort({ input: data.input, customId: data.customId, metadata: data.metadata }));
}
