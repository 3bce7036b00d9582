import { DEFAULT_MODEL_ID, shippedCatalogue, validateGenerationParams } from '@vidqueue/aimlapi';
import {
  iterateBulkRows,
  validateBulkFile,
  type BulkFormat,
  type BulkLimits,
  type BulkOptions,
  type BulkRow,
  type BulkSource,
  type BulkValidation,
} from '../src/index.js';

export { DEFAULT_MODEL_ID };

/** What the producer passes: the shipped catalogue's fields as parameter names, cells read as text. */
export function options(format: BulkFormat, limits: Partial<BulkLimits> = {}): BulkOptions {
  return {
    format,
    defaultModel: DEFAULT_MODEL_ID,
    validateParams: (input) => validateGenerationParams(input, { mode: 'text' }),
    paramNames: shippedCatalogue().fieldNames,
    limits,
  };
}

/** Feeds bytes in pieces of `size` bytes, to cross every boundary (multi-byte characters, CRLF, quotes). */
export async function* pieces(content: string | Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  for (let i = 0; i < bytes.length; i += size) {
    await Promise.resolve();
    yield bytes.subarray(i, i + size);
  }
}

export async function collectRows(source: BulkSource, opts: BulkOptions): Promise<BulkRow[]> {
  const rows: BulkRow[] = [];
  for await (const row of iterateBulkRows(source, opts)) rows.push(row);
  return rows;
}

/** Validates the content whole and in small pieces, checks both agree, and returns the result. */
export async function validate(content: string | Uint8Array, opts: BulkOptions): Promise<BulkValidation> {
  const whole = await validateBulkFile(content, opts);
  const size = Buffer.byteLength(content) > 20_000 ? 4093 : 3;
  const split = await validateBulkFile(pieces(content, size), opts);
  if (JSON.stringify(split) !== JSON.stringify(whole)) {
    throw new Error(`chunked result differs:\n${JSON.stringify(whole)}\n${JSON.stringify(split)}`);
  }
  return whole;
}

/** Valid rows, read whole and in 1-byte pieces (small files only), checked to agree. */
export async function rowsOf(content: string | Uint8Array, opts: BulkOptions): Promise<BulkRow[]> {
  const whole = await collectRows(content, opts);
  const split = await collectRows(pieces(content, 1), opts);
  if (JSON.stringify(split) !== JSON.stringify(whole)) {
    throw new Error(`chunked rows differ:\n${JSON.stringify(whole)}\n${JSON.stringify(split)}`);
  }
  return whole;
}
