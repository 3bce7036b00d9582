import { parse } from 'csv-parse/sync';

export const DELIMITERS = [',', ';', '\t'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

function splitHeader(line: string, delimiter: Delimiter): string[] {
  try {
    return parse(line, { delimiter, relax_quotes: true, relax_column_count: true })[0] ?? [];
  } catch {
    return [];
  }
}

/**
 * Picks the delimiter from the header line: the candidate whose split yields a `prompt` column (the
 * one with the most columns when several do, `,` first on a tie). When none does, the most frequent
 * candidate, so the header check can name the columns it saw.
 */
export function detectDelimiter(headerLine: string): Delimiter {
  let best: { delimiter: Delimiter; columns: number } | undefined;
  for (const delimiter of DELIMITERS) {
    const names = splitHeader(headerLine, delimiter);
    if (!names.some((name) => name.trim().toLowerCase() === 'prompt')) continue;
    if (best === undefined || names.length > best.columns) best = { delimiter, columns: names.length };
  }
  if (best !== undefined) return best.delimiter;
  let fallback: { delimiter: Delimiter; count: number } = { delimiter: ',', count: 0 };
  for (const delimiter of DELIMITERS) {
    const count = headerLine.split(delimiter).length - 1;
    if (count > fallback.count) fallback = { delimiter, count };
  }
  return fallback.delimiter;
}
