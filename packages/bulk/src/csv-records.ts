import { CsvError, parse, type Options } from 'csv-parse';
import { DELIMITERS, detectDelimiter, type Delimiter } from './delimiter.js';
import { BulkFatalError } from './fatal.js';

/** One non-blank CSV record (the header first) and the line it starts on. */
export type CsvRecord = { line: number; cells: string[]; delimiter: Delimiter };

function countNewlines(cells: string[]): number {
  let count = 0;
  for (const cell of cells) {
    for (let i = cell.indexOf('\n'); i !== -1; i = cell.indexOf('\n', i + 1)) count++;
  }
  return count;
}

function isBlankRecord(cells: string[]): boolean {
  return cells.every((cell) => cell.trim() === '');
}

/** The part of csv-parse's parser that its stream drives (`parse(options).api`, not in its types). */
type ParserCore = {
  parse(
    buf: Buffer | undefined,
    end: boolean,
    push: (record: string[]) => void,
    close: () => void,
  ): Error | undefined;
  info: { lines: number; empty_lines: number };
};

function parserCore(parser: object): ParserCore {
  const api = (parser as { api?: Partial<ParserCore> }).api;
  if (typeof api?.parse !== 'function' || typeof api.info?.lines !== 'number') {
    throw new TypeError('csv-parse: the parser has no `api` core (a changed csv-parse version?)');
  }
  return api as ParserCore;
}

function numberProp(err: CsvError, key: string): number {
  const value = err[key];
  return typeof value === 'number' ? value : 0;
}

/**
 * Excel's delimiter declaration, `sep=;` (`,` or a tab), as the first line: Excel reads it and hides it,
 * and writes it back quoted, followed by the delimiters of the other columns (`"sep=;";;`) when it did not.
 */
const SEP_LINE = /^(?:sep=([^"])|"sep=(.)")([,;\t ]*)$/i;

/** The delimiter a `sep=` line declares, or undefined when `line` is not one. */
function declaredDelimiter(line: string): Delimiter | undefined {
  const match = SEP_LINE.exec(line);
  const char = match?.[1] ?? match?.[2];
  if (char === undefined) return undefined;
  if ((DELIMITERS as readonly string[]).includes(char)) return char as Delimiter;
  throw new BulkFatalError({
    code: 'parse_error',
    message: `line 1 declares the delimiter ${JSON.stringify(char)} (${JSON.stringify(line)}); the delimiter must be a comma, a semicolon or a tab`,
    line: 1,
  });
}

/**
 * Reads text up to the first non-blank line after an optional `sep=` first line; returns it, the text
 * read, how many lines were dropped before it (blank ones and the `sep=` line: record lines add them
 * back, so they stay the file's own), and the declared delimiter.
 */
async function findHeaderLine(
  source: AsyncIterator<string>,
  maxRecordSize: number,
): Promise<{
  headerLine: string;
  buffered: string;
  blankLines: number;
  ended: boolean;
  declared: Delimiter | undefined;
}> {
  let buffered = '';
  let blankLines = 0;
  let ended = false;
  let declared: Delimiter | undefined;
  for (;;) {
    let pos = 0;
    for (let nl = buffered.indexOf('\n'); nl !== -1; nl = buffered.indexOf('\n', pos)) {
      const line = buffered.slice(pos, nl);
      // Only the file's first line may be a `sep=` line (it is then dropped like a blank line).
      const isSepLine = blankLines === 0 && (declared = declaredDelimiter(line)) !== undefined;
      if (!isSepLine && line.trim() !== '') {
        return { headerLine: line, buffered: buffered.slice(pos), blankLines, ended, declared };
      }
      pos = nl + 1;
      blankLines++;
    }
    buffered = buffered.slice(pos);
    if (ended) {
      if (buffered.trim() === '') {
        throw new BulkFatalError({
          code: 'empty_file',
          message: 'the file is empty: no header and no rows',
          line: 1,
        });
      }
      return { headerLine: buffered, buffered, blankLines, ended, declared };
    }
    if (buffered.length > maxRecordSize) {
      return { headerLine: buffered.slice(0, maxRecordSize), buffered, blankLines, ended, declared };
    }
    const next = await source.next();
    if (next.done === true) ended = true;
    else buffered += next.value;
  }
}

/**
 * Splits `\n`-terminated text (from `decodeText`) into CSV records with csv-parse, streaming: the
 * records each chunk of text completes come as one array (never empty), so a reader loops over a
 * chunk's records without a promise per record.
 * The delimiter is detected from the first non-blank line. Blank lines and all-blank records are
 * skipped. Quotes inside unquoted or badly closed fields are kept as text (csv-parse `relax_quotes`),
 * so only a quote that is never closed, or a record over `maxRecordSize`, stops the parse:
 * both throw `BulkFatalError` (`parse_error`, or `empty_file` when there is no text at all).
 * Every record completed before a problem is yielded before the error is thrown.
 */
export async function* readCsvRecords(
  text: AsyncIterable<string>,
  maxRecordSize: number,
): AsyncGenerator<CsvRecord[]> {
  const source = text[Symbol.asyncIterator]();
  try {
    const { headerLine, buffered, blankLines, ended, declared } = await findHeaderLine(source, maxRecordSize);
    const delimiter = declared ?? detectDelimiter(headerLine);

    // csv-parse's parser core is driven by hand, without its stream: each chunk is parsed synchronously
    // and the records collected, so records parsed before an error are kept (a destroyed stream would
    // drop them). Lines are read from the parser's counters as each record is pushed: the same figures
    // an `on_record` callback is given, without the two info objects csv-parse builds for it per record.
    let records: CsvRecord[] = [];
    /** The records parsed since the last call, when there are any. */
    const take = (): CsvRecord[] | undefined => {
      if (records.length === 0) return undefined;
      const out = records;
      records = [];
      return out;
    };
    const options: Options = {
      delimiter,
      record_delimiter: '\n',
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      max_record_size: maxRecordSize,
    };
    const api = parserCore(parse(options));
    let lastEndLine = 0;
    let lastEmptyLines = 0;
    const push = (cells: string[]): void => {
      lastEndLine = api.info.lines;
      lastEmptyLines = api.info.empty_lines;
      if (!isBlankRecord(cells)) {
        records.push({ line: lastEndLine - countNewlines(cells) + blankLines, cells, delimiter });
      }
    };
    const close = () => undefined;
    // `undefined`: the end of the text (a record left open is then complete, or an error).
    const write = (chunk: string | undefined): void => {
      const bytes = chunk === undefined ? undefined : Buffer.from(chunk, 'utf8');
      const err = api.parse(bytes, chunk === undefined, push, close);
      if (err !== undefined) throw err;
    };

    let batch: CsvRecord[] | undefined;
    try {
      if (buffered.length > 0) write(buffered);
      if ((batch = take())) yield batch;
      while (!ended) {
        const next = await source.next();
        if (next.done === true) break;
        write(next.value);
        if ((batch = take())) yield batch;
      }
      write(undefined);
      if ((batch = take())) yield batch;
    } catch (err) {
      if ((batch = take())) yield batch;
      if (!(err instanceof CsvError)) throw err;
      throw csvFatal(
        err,
        lastEndLine + 1 + Math.max(0, numberProp(err, 'empty_lines') - lastEmptyLines) + blankLines,
        blankLines,
        maxRecordSize,
      );
    }
  } finally {
    await source.return?.();
  }
}

function csvFatal(err: CsvError, start: number, blankLines: number, maxRecordSize: number): BulkFatalError {
  if (err.code === 'CSV_QUOTE_NOT_CLOSED') {
    return new BulkFatalError({
      code: 'parse_error',
      message: `a quoted field in the row starting at line ${start} is never closed: the file ends inside quotes`,
      line: start,
    });
  }
  if (err.code === 'CSV_MAX_RECORD_SIZE') {
    return new BulkFatalError({
      code: 'parse_error',
      message: `the row starting at line ${start} is longer than ${maxRecordSize} bytes; look for a quote that is never closed`,
      line: start,
    });
  }
  const line = numberProp(err, 'lines') + blankLines || start;
  return new BulkFatalError({
    code: 'parse_error',
    message: `cannot parse the CSV at line ${line}: ${err.message}`,
    line,
  });
}
