import { BulkFatalError } from './fatal.js';
import { readBulkRows } from './read-bulk-rows.js';
import type { BulkOptions, BulkRow, BulkSource } from './types.js';

/**
 * The second pass: the valid rows of a file, in order, skipping invalid ones (the same rows
 * `validateBulkFile` counted as valid for the same bytes). Throws `BulkFatalError` if the file turns
 * out unreadable, which cannot happen for bytes that passed `validateBulkFile` without `fatal`.
 */
export async function* iterateBulkRows(
  source: BulkSource,
  options: BulkOptions,
): AsyncGenerator<BulkRow, void> {
  for await (const event of readBulkRows(source, options)) {
    if (event.kind === 'row') yield event.row;
    else if (event.kind === 'fatal') throw new BulkFatalError(event.fatal);
  }
}
