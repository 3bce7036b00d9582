// The rules of `vidq download` that need no network: file names, sizes, and which addresses video hosts may have.
import { batchVideoFileName } from '@vidqueue/core/contract';
import type { BatchResultRow } from '@vidqueue/client';
import { localRangesOf, resolveWithDns, type AddressPolicy, type Resolve } from '@vidqueue/safe-http';

/**
 * `<row>-<custom_id>.mp4`, or `<row>.mp4` without one: the rule of the batch zip too
 * (`batchVideoFileName` in `@vidqueue/core/contract`), so a downloaded folder and the zip name files alike.
 */
export function videoFileName(row: Pick<BatchResultRow, 'row' | 'custom_id'>): string {
  return batchVideoFileName(row);
}

/** `2147483648`, `500M`, `2G`, `512KiB` → bytes (binary units); undefined when not a positive size. */
export function parseByteSize(value: string): number | undefined {
  const m = /^\s*(\d+)\s*([kmg])?(?:i?b)?\s*$/i.exec(value);
  if (!m) return undefined;
  const unit = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? '').toLowerCase()] ?? 1;
  const bytes = Number(m[1]) * unit;
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}

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
  return localRangesOf(apiUrl, resolve);
}
