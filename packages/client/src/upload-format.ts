import { VidqueueError } from './errors.js';

/**
 * The format `uploadBatch` sends a file as: the one asked for, else `.jsonl`/`.ndjson` → jsonl, else csv.
 * A `.json` path without a format is refused (UNSUPPORTED_FILE) rather than read as CSV: it is a JSON
 * document (an array, most often), which is neither; the web page refuses it the same way.
 */
export function uploadFormat(
  file: string | NodeJS.ReadableStream,
  format: 'csv' | 'jsonl' | undefined,
): 'csv' | 'jsonl' {
  if (format) return format;
  if (typeof file === 'string' && /\.json$/i.test(file)) {
    throw new VidqueueError(
      `${file} is a .json file: batches are CSV (.csv, .tsv, .txt) or JSONL, one JSON object per line (.jsonl, .ndjson); save it as .jsonl if each line is one object`,
      'UNSUPPORTED_FILE',
    );
  }
  return typeof file === 'string' && /\.(jsonl|ndjson)$/i.test(file) ? 'jsonl' : 'csv';
}
