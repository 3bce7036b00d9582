/**
 * Retry-After as milliseconds: delay-seconds (`120`, tolerated `1.5`) or an HTTP date. Garbage, negative
 * values and empty headers give undefined; a date in the past gives 0.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  // A date must look like one: Date.parse accepts odd inputs such as "1" or "-5".
  if (!/[a-z]/i.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
