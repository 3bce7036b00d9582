/**
 * The results export of a batch, for `GET /v1/batches/:id/results` and the SDK's `exportResults`:
 * every row in input order, streamed as JSONL (one `BatchResultRow` per line) or CSV (the fixed
 * columns, then the input's metadata columns in input order; one named like a fixed column is written
 * `metadata.<name>`, so no two columns share a name).
 *
 * CSV is opened in spreadsheets, which run a cell starting with `=`, `+`, `-`, `@`, a tab or a CR as a
 * formula: prompts, ids, metadata and provider messages come from outside, so every such cell (header
 * included) gets a leading `'` (csv-stringify's `escape_formulas`; numbers such as -2 are left alone).
 * JSONL carries the values as they are.
 */
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { BATCH_RESULT_COLUMNS, batchResultCell, type BatchResultRow } from '../contract/batch-view.js';
import { openBatchResults, type ResultsOptions } from './batch-ops.js';
import type { ProducerContext } from './context.js';
import { MAX_METADATA_COLUMNS } from './ingest-passes.js';

export type ResultsFormat = 'jsonl' | 'csv';

export const RESULTS_CONTENT_TYPE: Readonly<Record<ResultsFormat, string>> = {
  jsonl: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
};

/** The export as a stream, read from Redis as it is consumed; BATCH_NOT_FOUND before anything streams. */
export async function exportBatchResults(
  ctx: ProducerContext,
  id: string,
  format: ResultsFormat,
  options: ResultsOptions = {},
): Promise<NodeJS.ReadableStream> {
  const { batch, rows } = await openBatchResults(ctx, id, options);
  if (format === 'jsonl') return jsonl(rows);
  return csv(rows, batch.meta.columns.slice(0, MAX_METADATA_COLUMNS));
}

function jsonl(rows: AsyncIterable<BatchResultRow>): Readable {
  return Readable.from(
    (async function* () {
      for await (const row of rows) yield `${JSON.stringify(row)}\n`;
    })(),
  );
}

/**
 * The CSV header names of the metadata columns, in order: a key as it is, unless a fixed column has its
 * name (an upload's `status`, `row` or `video_url` column, a JSONL `metadata.prompt`): then
 * `metadata.<key>`, prefixed again while that is taken too (by another key named so). Every name of the
 * header is then distinct. JSONL keeps metadata nested and needs none of this.
 */
export function metadataColumnNames(keys: readonly string[]): string[] {
  const fixed: ReadonlySet<string> = new Set(BATCH_RESULT_COLUMNS);
  const taken = new Set<string>([...fixed, ...keys]);
  return keys.map((key) => {
    if (!fixed.has(key)) return key;
    let name = `metadata.${key}`;
    while (taken.has(name)) name = `metadata.${name}`;
    taken.add(name);
    return name;
  });
}

function csv(rows: AsyncIterable<BatchResultRow>, columns: string[]): NodeJS.ReadableStream {
  return Readable.from(
    (async function* () {
      for await (const row of rows) {
        yield [
          ...BATCH_RESULT_COLUMNS.map((c) => batchResultCell(row, c)),
          ...columns.map((c) => (row.metadata && Object.hasOwn(row.metadata, c) ? row.metadata[c] : null)),
        ];
      }
    })(),
  ).pipe(
    stringify({
      header: true,
      // A UTF-8 byte order mark first: Excel on Windows reads a CSV without one in the local code page,
      // and prompts in Japanese or with emoji would show garbled. Spreadsheets and CSV readers skip it.
      bom: true,
      columns: [...BATCH_RESULT_COLUMNS, ...metadataColumnNames(columns)],
      cast: { boolean: (v) => String(v) },
      escape_formulas: true,
    }),
  );
}
