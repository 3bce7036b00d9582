import { BulkFatalError } from './fatal.js';
import { readJsonlLines, type JsonlLine } from './jsonl-lines.js';
import { RESERVED_FIELDS, emptyCandidate, shown, type FieldNames, type RowCandidate } from './row-builder.js';
import type { BulkMetadata, RowError } from './types.js';

const ALLOWED = `${[...RESERVED_FIELDS, 'metadata'].join(', ')} and the fields of the row's model`;

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  // JSON has no Infinity: 1e309 reads as one. Not "a number", which would contradict the message.
  if (typeof value === 'number' && !Number.isFinite(value)) return 'a number out of range';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): value is string | number | boolean | null {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}

function readMetadata(
  value: unknown,
  errors: RowError[],
  line: number,
  row: number,
): BulkMetadata | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) {
    errors.push({
      line,
      row,
      column: 'metadata',
      message: `metadata must be an object of strings, numbers, booleans or null (got ${kindOf(value)})`,
    });
    return undefined;
  }
  const metadata = Object.create(null) as BulkMetadata;
  for (const [key, entry] of Object.entries(value)) {
    if (isScalar(entry)) metadata[key] = entry;
    else {
      errors.push({
        line,
        row,
        column: `metadata.${key}`,
        message: `metadata values must be strings, numbers, booleans or null; ${shown(key)} is ${kindOf(entry)}`,
      });
    }
  }
  return metadata;
}

/**
 * JSONL lines → row candidates: one JSON object per non-blank line with the CSV column names as
 * fields (the reserved ones and the models' parameters) plus an optional `metadata` object of
 * scalars. Invalid JSON, non-objects and over-long lines are unreadable rows; a field that is no
 * model's is an error naming the field.
 */
export async function* readJsonlCandidates(
  text: AsyncIterable<string>,
  maxLineLength: number,
  names: FieldNames,
): AsyncGenerator<RowCandidate[]> {
  let row = 0;
  for await (const items of readJsonlLines(text, maxLineLength)) {
    const out: RowCandidate[] = [];
    for (const item of items) out.push(toCandidate(item));
    yield out;
  }
  function toCandidate(item: JsonlLine): RowCandidate {
    row++;
    const { line } = item;
    const unreadable = (message: string): RowCandidate => ({
      ...emptyCandidate(row, line, [{ line, row, message }]),
      unreadable: true,
    });
    if ('tooLong' in item) return unreadable(`the line is longer than ${maxLineLength} characters`);
    let value: unknown;
    try {
      value = JSON.parse(item.text);
    } catch (err) {
      return unreadable(`invalid JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!isPlainObject(value)) return unreadable(`each line must be a JSON object, got ${kindOf(value)}`);
    const candidate = emptyCandidate(row, line);
    for (const [key, entry] of Object.entries(value)) {
      if (names.isReserved(key)) candidate.fields[key] = entry;
      else if (names.isParam(key)) candidate.params[key] = entry;
      else if (key === 'metadata') {
        const metadata = readMetadata(entry, candidate.errors, line, row);
        if (metadata !== undefined) candidate.metadata = metadata;
      } else {
        const lower = key.trim().toLowerCase();
        const known = names.isReserved(lower) || names.isParam(lower) || lower === 'metadata';
        const hint = known ? ` (did you mean "${lower}"?)` : '';
        candidate.errors.push({
          line,
          row,
          column: key,
          message: `unknown field ${shown(key)}${hint}; allowed: ${ALLOWED} (put other data in metadata)`,
        });
      }
    }
    return candidate;
  }
  if (row === 0)
    throw new BulkFatalError({ code: 'empty_file', message: 'the file is empty: no JSON lines', line: 1 });
}
