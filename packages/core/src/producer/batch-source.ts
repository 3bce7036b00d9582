import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { BulkSource } from '@vidqueue/bulk';

/**
 * A batch file that can be read more than once (hashed for the Idempotency-Key, then parsed by ingest
 * or a dry run, each with bounded memory): a file on disk (the API spools every upload first; `sha256` when the spooling already hashed it), or
 * the whole content in memory (the SDK's rows as JSONL).
 */
export type BatchSource = { path: string; sha256?: string } | { bytes: Uint8Array };

/** A fresh reader over the whole source. */
export function readSource(source: BatchSource): BulkSource {
  return 'path' in source ? createReadStream(source.path) : source.bytes;
}

/** SHA-256 (hex) of the source's bytes. */
export async function sourceSha256(source: BatchSource): Promise<string> {
  if ('bytes' in source) return createHash('sha256').update(source.bytes).digest('hex');
  if (source.sha256 !== undefined) return source.sha256;
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(source.path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
