/** One non-blank JSONL line, or the fact that it was longer than the limit (its text is dropped). */
export type JsonlLine = { line: number; text: string } | { line: number; tooLong: true };

/**
 * Splits `\n`-terminated text into non-blank lines with their line numbers, those each chunk of text
 * completes as one array (never empty). A line longer than
 * `maxLineLength` characters is not accumulated: it is reported as `tooLong` and skipped to its end.
 */
export async function* readJsonlLines(
  text: AsyncIterable<string>,
  maxLineLength: number,
): AsyncGenerator<JsonlLine[]> {
  let partial = '';
  let tooLong = false;
  let line = 1;
  const finish = (rest: string): JsonlLine | undefined => {
    const current = line;
    line++;
    if (tooLong) {
      tooLong = false;
      return { line: current, tooLong: true };
    }
    const full = partial + rest;
    partial = '';
    if (full.length > maxLineLength) return { line: current, tooLong: true };
    return full.trim() === '' ? undefined : { line: current, text: full };
  };
  for await (const chunk of text) {
    const lines: JsonlLine[] = [];
    let pos = 0;
    for (let nl = chunk.indexOf('\n'); nl !== -1; nl = chunk.indexOf('\n', pos)) {
      const done = finish(chunk.slice(pos, nl));
      if (done !== undefined) lines.push(done);
      pos = nl + 1;
    }
    if (pos < chunk.length && !tooLong) {
      partial += chunk.slice(pos);
      if (partial.length > maxLineLength) {
        partial = '';
        tooLong = true;
      }
    }
    if (lines.length > 0) yield lines;
  }
  if (partial.length > 0 || tooLong) {
    const done = finish('');
    if (done !== undefined) yield [done];
  }
}
