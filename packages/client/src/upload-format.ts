/** The format `uploadBatch` sends a file as: the one asked for, else `.jsonl`/`.ndjson` → jsonl, else csv. */
export function uploadFormat(
  file: string | NodeJS.ReadableStream,
  format: 'csv' | 'jsonl' | undefined,
): 'csv' | 'jsonl' {
  if (format) return format;
  return typeof file === 'string' && /\.(jsonl|ndjson)$/i.test(file) ? 'jsonl' : 'csv';
}
