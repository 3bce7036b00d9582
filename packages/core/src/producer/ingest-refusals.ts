/**
 * Why a batch file is refused, in one place: a file that cannot be read to the end (413 FILE_TOO_LARGE
 * or TOO_MANY_ROWS, else 422 INVALID_FILE, with the reason and where), and invalid rows (422
 * INVALID_ROWS listing the first errors and counting them all).
 */
import { BULK_FATAL_STATUS } from '@vidqueue/bulk';
import type { Checked } from './ingest-passes.js';
import { ProducerError } from './errors.js';

/** Row errors listed in an INVALID_ROWS refusal or a created batch's `skipped_rows`. */
export const MAX_LISTED_ERRORS = 100;

/** Throws the refusal of a file that cannot become a batch; returns for one that can. */
export function refuseUnusable(checked: Checked, onInvalid: 'reject' | 'skip'): void {
  if (checked.fatal) {
    const { code, message, line, column, byteOffset } = checked.fatal;
    const details = {
      reason: code,
      line,
      ...(column ? { column } : {}),
      ...(byteOffset === undefined ? {} : { byte_offset: byteOffset }),
    };
    if (BULK_FATAL_STATUS[code] === 413) {
      throw new ProducerError(code === 'too_many_rows' ? 'TOO_MANY_ROWS' : 'FILE_TOO_LARGE', {
        message,
        details,
      });
    }
    throw new ProducerError('INVALID_FILE', { message, details });
  }
  if (checked.errorCount > 0 && (onInvalid === 'reject' || checked.valid === 0)) {
    const message =
      checked.valid === 0
        ? `No valid row: ${checked.errorCount} error(s) in ${checked.invalid} row(s); nothing was enqueued`
        : `${checked.errorCount} error(s) in ${checked.invalid} row(s); nothing was enqueued (send ?on_invalid=skip to enqueue the ${checked.valid} valid row(s))`;
    throw new ProducerError('INVALID_ROWS', {
      message,
      details: { errors: checked.errors.slice(0, MAX_LISTED_ERRORS), error_count: checked.errorCount },
    });
  }
}
