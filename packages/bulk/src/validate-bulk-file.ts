import type { BulkFatal } from './fatal.js';
import { readBulkEventChunks, type BulkEvent } from './read-bulk-rows.js';
import type { BulkOptions, BulkSource, RowError } from './types.js';

export const DEFAULT_MAX_ERRORS = 100;

export type BulkValidation = {
  /** Data rows read (valid and invalid); when `fatal` is set, the rows read before it. */
  total: number;
  valid: number;
  invalid: number;
  /** The first `maxErrors` row errors, in file order. */
  errors: RowError[];
  /** Every row error, including those not kept in `errors`. */
  errorCount: number;
  /** Set when the file could not be read to the end; the counts then cover only what came before. */
  fatal?: BulkFatal;
};

export type ValidateBulkOptions = BulkOptions & {
  /** How many row errors to keep (default 100); the rest are only counted. */
  maxErrors?: number;
  /**
   * Called with each event, after it is counted, and awaited before the next one is read (so a slow
   * callback slows the reading down). A callback that throws or rejects stops reading and
   * `validateBulkFile` rejects with its error.
   */
  onEvent?: (event: BulkEvent) => void | Promise<void>;
};

/**
 * The first pass over an upload: streams it, counts rows and collects errors without keeping rows.
 * Resolves (never rejects) for any content; a file is acceptable when `fatal` is absent and, unless
 * invalid rows may be skipped, `errorCount` is 0. `onEvent` lets a caller act on the rows in the same
 * pass (the API stages the valid rows while it validates).
 */
export async function validateBulkFile(
  source: BulkSource,
  options: ValidateBulkOptions,
): Promise<BulkValidation> {
  const maxErrors = options.maxErrors ?? DEFAULT_MAX_ERRORS;
  const result: BulkValidation = { total: 0, valid: 0, invalid: 0, errors: [], errorCount: 0 };
  for await (const events of readBulkEventChunks(source, options)) {
    for (const event of events) {
      switch (event.kind) {
        case 'row':
          result.total++;
          result.valid++;
          break;
        case 'invalid':
          result.total++;
          result.invalid++;
          result.errorCount += event.errors.length;
          for (const error of event.errors) {
            if (result.errors.length >= maxErrors) break;
            result.errors.push(error);
          }
          break;
        case 'fatal':
          result.fatal = event.fatal;
          break;
      }
      // Awaited only when it returns a promise: a callback with nothing to wait for costs no tick per row.
      const pending = options.onEvent?.(event);
      if (pending !== undefined) await pending;
    }
  }
  return result;
}
