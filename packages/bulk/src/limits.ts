export type BulkLimits = {
  /** Largest accepted file, in bytes (default 50 MiB). Exceeding it is the fatal `too_large`. */
  maxBytes: number;
  /** Most data rows in one file (default 100 000). Exceeding it is the fatal `too_many_rows`. */
  maxRows: number;
  /** Longest prompt after trimming, in characters (Unicode code points; default 4000). */
  maxPromptLength: number;
  /**
   * Longest single record (default 1 MiB): a CSV row including its quoted newlines, in bytes
   * (csv-parse's `max_record_size`), or a JSONL line, in characters. Bounds the memory one row can
   * take. Over it, a CSV file stops with `parse_error` (it usually means a quote that is never
   * closed); a JSONL line is a row error.
   */
  maxRecordSize: number;
  /** Longest `custom_id`, in characters (default 256). */
  maxCustomIdLength: number;
};

export const DEFAULT_BULK_LIMITS: Readonly<BulkLimits> = Object.freeze({
  maxBytes: 50 * 1024 * 1024,
  maxRows: 100_000,
  maxPromptLength: 4000,
  maxRecordSize: 1024 * 1024,
  maxCustomIdLength: 256,
});

export function resolveLimits(limits: Partial<BulkLimits> = {}): BulkLimits {
  const resolved = { ...DEFAULT_BULK_LIMITS };
  for (const key of Object.keys(resolved) as (keyof BulkLimits)[]) {
    const value = limits[key];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`bulk limit ${key} must be a positive integer (got ${String(value)})`);
    }
    resolved[key] = value;
  }
  return resolved;
}
