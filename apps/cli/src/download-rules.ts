// The rules of `vidq download` that need no network: file names, sizes, and which addresses video hosts may have.
import { createHash } from 'node:crypto';
import type { BatchResultRow } from '@vidqueue/client';
import {
  classifyAddress,
  isIpLiteral,
  resolveWithDns,
  type AddressPolicy,
  type AddressRange,
  type Resolve,
} from '@vidqueue/safe-http';

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
 * `<row>-<custom_id>.mp4`, or `<row>.mp4` without one. The row number makes names unique within a
 * batch whatever the ids are (`a b` and `a_b`, or `3` and row 3); the id is kept readable (letters and
 * digits of any script, `.`, `_`, `-`; anything else becomes `_`) and, past 80 bytes of UTF-8, cut and
 * given 10 hex digits of its SHA-256, so a name stays under about 100 bytes.
 */
export function videoFileName(row: Pick<BatchResultRow, 'row' | 'custom_id'>): string {
  if (!row.custom_id) return `${row.row}.mp4`;
  let id = row.custom_id.normalize('NFC').replace(/[^\p{L}\p{N}._-]+/gu, '_');
  if (Buffer.byteLength(id) > MAX_ID_BYTES) {
    const hash = createHash('sha256').update(row.custom_id).digest('hex').slice(0, 10);
    id = `${truncateUtf8(id, MAX_ID_BYTES - hash.length - 1)}~${hash}`;
  }
  return `${row.row}-${id}.mp4`;
}

/** `2147483648`, `500M`, `2G`, `512KiB` → bytes (binary units); undefined when not a positive size. */
export function parseByteSize(value: string): number | undefined {
  const m = /^\s*(\d+)\s*([kmg])?(?:i?b)?\s*$/i.exec(value);
  if (!m) return undefined;
  const unit = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? '').toLowerCase()] ?? 1;
  const bytes = Number(m[1]) * unit;
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}

/** Ranges a video host may share with the API without `--allow-private-addresses` (never link-local). */
const API_RANGES: readonly AddressRange[] = ['loopback', 'private', 'uniqueLocal', 'carrierGradeNat'];

/**
 * Which non-public addresses video URLs may reach. With `allowPrivate`: all. Otherwise, when every
 * address of the API's host is loopback, private, unique-local or CGNAT (the local simulator, a compose
 * network), the ranges the API itself is in; else none: a public API's videos are on public hosts.
 */
export async function videoAddressPolicy(
  apiUrl: string,
  allowPrivate: boolean,
  resolve: Resolve = resolveWithDns,
): Promise<AddressPolicy> {
  if (allowPrivate) return { allowPrivate: true };
  const host = new URL(apiUrl).hostname;
  const addresses = isIpLiteral(host)
    ? [host]
    : await resolve(host).then(
        (answers) => answers.map((a) => a.address),
        () => [],
      );
  const ranges = addresses.map((a) => classifyAddress(a)?.range);
  if (ranges.length === 0 || !ranges.every((r) => r !== undefined && API_RANGES.includes(r))) return {};
  return { allowRanges: [...new Set(ranges as AddressRange[])] };
}
