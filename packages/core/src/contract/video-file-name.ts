import { createHash } from 'node:crypto';

/** Bytes of the custom_id part of a file name; longer ones are cut and given a hash. */
const MAX_ID_BYTES = 80;

function truncateUtf8(text: string, maxBytes: number): string {
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    bytes += Buffer.byteLength(ch);
    if (bytes > maxBytes) break;
    out += ch;
  }
  return out;
}

/**
 * The file name of a batch row's video: `<row>-<custom_id>.mp4`, or `<row>.mp4` without one (the rule
 * `vidq download` names files by, and the zip of a batch's videos). The row number makes names unique
 * within a batch whatever the ids are; the id keeps letters and digits of any script, `.`, `_`, `-`
 * (anything else becomes `_`) and, past 80 bytes of UTF-8, is cut and given 10 hex digits of its SHA-256.
 */
export function batchVideoFileName(row: { row: number; custom_id: string | null }): string {
  // The row comes from a server's answer: anything but a row number (`../../x`) is refused, never a path.
  if (!Number.isSafeInteger(row.row) || row.row < 1) {
    throw new TypeError(`a result row's number must be a positive integer (got ${JSON.stringify(row.row)})`);
  }
  if (row.custom_id !== null && row.custom_id !== undefined && typeof row.custom_id !== 'string') {
    throw new TypeError(`a result row's custom_id must be text or null (got ${typeof row.custom_id})`);
  }
  if (!row.custom_id) return `${row.row}.mp4`;
  let id = row.custom_id.normalize('NFC').replace(/[^\p{L}\p{N}._-]+/gu, '_');
  if (Buffer.byteLength(id) > MAX_ID_BYTES) {
    const hash = createHash('sha256').update(row.custom_id).digest('hex').slice(0, 10);
    id = `${truncateUtf8(id, MAX_ID_BYTES - hash.length - 1)}~${hash}`;
  }
  return `${row.row}-${id}.mp4`;
}
