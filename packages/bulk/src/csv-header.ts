import type { Delimiter } from './delimiter.js';
import { BulkFatalError } from './fatal.js';
import { RESERVED_FIELDS, shown, type FieldNames, type ReservedField } from './row-builder.js';

export type CsvColumn =
  | { kind: 'field'; field: ReservedField }
  /** A parameter of some model: its cells go to the row's model (blank: the model's default). */
  | { kind: 'param'; name: string }
  | { kind: 'metadata'; key: string }
  /** An empty header cell: its cells must be empty too. */
  | { kind: 'unnamed' };

const DELIMITER_NAMES: Record<Delimiter, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab' };

/**
 * Reads the header record: reserved columns and parameter columns (a field of some model) match
 * trimmed and case-insensitively; any other named column is metadata (its key is the trimmed name as
 * written). Throws `BulkFatalError` for `duplicate_column`, `missing_prompt_column`, or `no_header`
 * when no known column is named at all.
 */
export function readCsvHeader(
  cells: string[],
  line: number,
  delimiter: Delimiter,
  names: FieldNames,
): CsvColumn[] {
  const seen = new Map<string, number>();
  const columns = cells.map((cell, index): CsvColumn => {
    const name = cell.trim();
    if (name === '') return { kind: 'unnamed' };
    const lower = name.toLowerCase();
    const first = seen.get(lower);
    if (first !== undefined) {
      throw new BulkFatalError({
        code: 'duplicate_column',
        message: `the header on line ${line} names the column ${shown(name)} twice (columns ${first + 1} and ${index + 1})`,
        line,
        column: name,
      });
    }
    seen.set(lower, index);
    if (names.isReserved(lower)) return { kind: 'field', field: lower };
    return names.isParam(lower) ? { kind: 'param', name: lower } : { kind: 'metadata', key: name };
  });
  if (columns.some((c) => c.kind === 'field' && c.field === 'prompt')) return columns;

  const found = cells.map((cell) => shown(cell.trim())).join(', ');
  const split = `split on ${DELIMITER_NAMES[delimiter]}s: ${found}`;
  if (!columns.some((c) => c.kind === 'field' || c.kind === 'param')) {
    throw new BulkFatalError({
      code: 'no_header',
      message: `line ${line} is not a header: the first line must name the columns, with at least "prompt" (known columns: ${RESERVED_FIELDS.join(', ')} and the models' fields); found ${split}`,
      line,
    });
  }
  throw new BulkFatalError({
    code: 'missing_prompt_column',
    message: `the header on line ${line} has no "prompt" column; found ${split}`,
    line,
    column: 'prompt',
  });
}
