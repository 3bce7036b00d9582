import { readCsvHeader } from './csv-header.js';
import { readCsvRecords } from './csv-records.js';
import { BulkFatalError } from './fatal.js';
import { emptyCandidate, type FieldNames, type RowCandidate } from './row-builder.js';
import type { BulkMetadata, RowError } from './types.js';

/**
 * CSV records → row candidates, those of each chunk of records as one array (never empty). Data rows
 * are numbered from 1 after the header. A row whose number of cells differs from the header's is
 * reported as such and not checked further (its cells cannot be matched to columns).
 */
export async function* readCsvCandidates(
  text: AsyncIterable<string>,
  maxRecordSize: number,
  names: FieldNames,
): AsyncGenerator<RowCandidate[]> {
  let header: ReturnType<typeof readCsvHeader> | undefined;
  let row = 0;
  let headerLine = 0;
  for await (const records of readCsvRecords(text, maxRecordSize)) {
    const out: RowCandidate[] = [];
    for (const { line, cells, delimiter } of records) {
      if (header === undefined) {
        header = readCsvHeader(cells, line, delimiter, names);
        headerLine = line;
        continue;
      }
      row++;
      const errors: RowError[] = [];
      if (cells.length !== header.length) {
        const spanned = cells.reduce((n, cell) => n + cell.split('\n').length - 1, 0);
        const hint = spanned > 0 ? ` (it runs to line ${line + spanned}: is a quote left open?)` : '';
        errors.push({
          line,
          row,
          message: `the row has ${cells.length} cell${cells.length === 1 ? '' : 's'} but the header has ${header.length} columns${hint}`,
        });
        out.push({ ...emptyCandidate(row, line, errors), unreadable: true });
        continue;
      }
      const candidate = emptyCandidate(row, line, errors);
      let metadata: BulkMetadata | undefined;
      header.forEach((column, index) => {
        const cell = cells[index] ?? '';
        switch (column.kind) {
          case 'field':
            candidate.fields[column.field] = cell;
            break;
          case 'param':
            candidate.params[column.name] = cell;
            break;
          case 'metadata':
            // Null prototype: a column named "__proto__" is kept like any other.
            (metadata ??= Object.create(null) as BulkMetadata)[column.key] = cell;
            break;
          case 'unnamed':
            if (cell.trim() !== '') {
              errors.push({
                line,
                row,
                message: `column ${index + 1} has a value but no name in the header`,
              });
            }
            break;
        }
      });
      if (metadata !== undefined) candidate.metadata = metadata;
      out.push(candidate);
    }
    if (out.length > 0) yield out;
  }
  if (header === undefined) {
    throw new BulkFatalError({
      code: 'empty_file',
      message: 'the file has no header and no rows, only separators',
      line: 1,
    });
  }
  if (row === 0) {
    throw new BulkFatalError({
      code: 'no_rows',
      message: `the file has a header (line ${headerLine}) but no data rows`,
      line: headerLine,
    });
  }
}
