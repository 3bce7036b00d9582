import type { BulkFatal } from './fatal.js';
import type { RowError } from './types.js';

/** `line 12, column duration: duration must be a whole number (got "five")`, for logs and CLIs. */
export function formatRowError(error: RowError): string {
  const where =
    error.column === undefined ? `line ${error.line}` : `line ${error.line}, column ${error.column}`;
  return `${where}: ${error.message}`;
}

/** `parse_error: a quoted field in the row starting at line 3 is never closed...`. */
export function formatFatal(fatal: BulkFatal): string {
  return `${fatal.code}: ${fatal.message}`;
}
