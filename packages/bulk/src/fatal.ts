/**
 * Problems that stop the reading of a whole file, as opposed to row errors.
 * Each has a stable code; the suggested HTTP status is in `BULK_FATAL_STATUS`.
 */
export const BulkFatalCode = {
  /** More bytes than `limits.maxBytes`. */
  TooLarge: 'too_large',
  /** More data rows than `limits.maxRows`. */
  TooManyRows: 'too_many_rows',
  /** A byte sequence that is not UTF-8 (also UTF-16 files). */
  NotUtf8: 'not_utf8',
  /** A NUL byte: a spreadsheet, archive or image rather than text. */
  Binary: 'binary',
  /** Nothing but whitespace. */
  EmptyFile: 'empty_file',
  /** A CSV header, or blank lines, and no data row. */
  NoRows: 'no_rows',
  /** The first CSV line names none of the known columns: it is probably data. */
  NoHeader: 'no_header',
  /** The CSV header names known columns but not `prompt`. */
  MissingPromptColumn: 'missing_prompt_column',
  /** The same column twice in the CSV header (names compare trimmed and case-insensitively). */
  DuplicateColumn: 'duplicate_column',
  /** The CSV cannot be split into rows, for example a quote that is never closed. */
  ParseError: 'parse_error',
} as const;
export type BulkFatalCode = (typeof BulkFatalCode)[keyof typeof BulkFatalCode];

export type BulkFatal = {
  code: BulkFatalCode;
  /** Says what is wrong and where, for people. */
  message: string;
  /** The line the problem is on (1 when it concerns the whole file). */
  line: number;
  column?: string;
  /** 0-based offset of the offending byte, for `not_utf8` and `binary`. */
  byteOffset?: number;
};

/** The status an HTTP API should answer with: 413 for size limits, 422 for content it cannot process. */
export const BULK_FATAL_STATUS: Readonly<Record<BulkFatalCode, 413 | 422>> = Object.freeze({
  too_large: 413,
  too_many_rows: 413,
  not_utf8: 422,
  binary: 422,
  empty_file: 422,
  no_rows: 422,
  no_header: 422,
  missing_prompt_column: 422,
  duplicate_column: 422,
  parse_error: 422,
});

/** Thrown by `iterateBulkRows` (and internally) when a file cannot be read any further. */
export class BulkFatalError extends Error {
  readonly fatal: BulkFatal;

  constructor(fatal: BulkFatal) {
    super(fatal.message);
    this.name = 'BulkFatalError';
    this.fatal = fatal;
  }
}

export function isBulkFatalError(err: unknown): err is BulkFatalError {
  return err instanceof BulkFatalError;
}
