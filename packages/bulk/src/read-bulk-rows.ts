import { readCsvCandidates } from './csv-rows.js';
import { decodeText } from './decode-text.js';
import { isBulkFatalError, type BulkFatal } from './fatal.js';
import { readJsonlCandidates } from './jsonl-rows.js';
import { resolveLimits } from './limits.js';
import { buildRow, fieldNames, type RowContext } from './row-builder.js';
import type { BulkOptions, BulkRow, BulkSource, RowError } from './types.js';

/** What reading a file produces, row by row; a `fatal` event is always the last one. */
export type BulkEvent =
  | { kind: 'row'; row: BulkRow }
  | { kind: 'invalid'; row: number; line: number; errors: RowError[] }
  | { kind: 'fatal'; fatal: BulkFatal };

/**
 * The one row reader under `validateBulkFile` and `iterateBulkRows`: streams the source, yields each
 * data row as valid or invalid (with all its errors), and ends with a `fatal` event when the file
 * cannot be read further. Holds one chunk of records at a time plus the set of custom ids seen; never
 * throws for bad content (only for bad options, or when `validateParams` itself throws).
 */
export async function* readBulkRows(
  source: BulkSource,
  options: BulkOptions,
): AsyncGenerator<BulkEvent, void> {
  for await (const events of readBulkEventChunks(source, options)) {
    for (const event of events) yield event;
  }
}

/**
 * `readBulkRows`' events, those of each chunk of the file as one array (never empty), in order: a
 * reader that acts on every row (`validateBulkFile`) loops over a chunk without a promise per row.
 */
export async function* readBulkEventChunks(
  source: BulkSource,
  options: BulkOptions,
): AsyncGenerator<BulkEvent[], void> {
  if (options.format !== 'csv' && options.format !== 'jsonl') {
    throw new TypeError(`unknown bulk format ${JSON.stringify(options.format)} (expected "csv" or "jsonl")`);
  }
  const limits = resolveLimits(options.limits);
  const ctx: RowContext = {
    defaultModel: options.defaultModel,
    validateParams: options.validateParams,
    ...(options.validateMetadata === undefined ? {} : { validateMetadata: options.validateMetadata }),
    metadataColumn: (key) => {
      // A key over the limit can be huge: a column name is shown cut.
      const shown = key !== undefined && key.length > 60 ? `${key.slice(0, 59)}…` : key;
      if (options.format === 'csv') return shown;
      return shown === undefined ? 'metadata' : `metadata.${shown}`;
    },
    limits,
    customIds: new Map(),
  };
  const names = fieldNames(options.paramNames);
  const text = decodeText(source, limits.maxBytes);
  const chunks =
    options.format === 'csv'
      ? readCsvCandidates(text, limits.maxRecordSize, names)
      : readJsonlCandidates(text, limits.maxRecordSize, names);

  try {
    for await (const candidates of chunks) {
      const events: BulkEvent[] = [];
      for (const candidate of candidates) {
        if (candidate.row > limits.maxRows) {
          events.push({
            kind: 'fatal',
            fatal: {
              code: 'too_many_rows',
              message: `the file has more than ${limits.maxRows} rows (row ${candidate.row} is on line ${candidate.line}); split it into several batches`,
              line: candidate.line,
            },
          });
          yield events;
          return;
        }
        const built = buildRow(candidate, ctx);
        events.push(
          built.ok
            ? { kind: 'row', row: built.row }
            : { kind: 'invalid', row: candidate.row, line: candidate.line, errors: built.errors },
        );
      }
      if (events.length > 0) yield events;
    }
  } catch (err) {
    if (!isBulkFatalError(err)) throw err;
    yield [{ kind: 'fatal', fatal: err.fatal }];
    return;
  }
}
