// `pnpm lint`: a source file (apps/*/src, packages/*/src, bench/src; not tests) over MAX_LINES lines fails
// unless its first comment block has a line starting "One piece:" that says why it stays one file.
// Files of 30 to 200 lines holding one concept are the norm here (docs/STYLE); a long file either
// splits along its concerns or explains why it cannot.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, sourceFiles } from './source-files.mjs';

const MAX_LINES = 300;
const MARKER = 'One piece:';

// Files over the limit allowed while another branch splits them (none now: producer-core split
// apps/api/src/routes/batches.ts and packages/client/src/redis-client.ts). An entry that is no longer over
// the limit fails this check, so the list cannot go stale quietly.
const ALLOWED = new Set([]);

// The file's first comment block: a run of line comments, or one block comment, wherever it starts.
function firstCommentBlock(text) {
  const match = /^[ \t]*(\/\/[^\n]*(\n[ \t]*\/\/[^\n]*)*|\/\*[\s\S]*?\*\/)/m.exec(text);
  return (match?.[0] ?? '')
    .split('\n')
    .map((line) => line.replace(/^\s*(\/\/|\/\*+|\*\/|\*)?\s?/, ''))
    .join('\n');
}

const lineCount = (text) => text.split('\n').length - (text.endsWith('\n') ? 1 : 0);

const problems = [];
const stillLong = new Set();
for (const file of sourceFiles()) {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const lines = lineCount(text);
  if (lines <= MAX_LINES) continue;
  stillLong.add(file);
  if (ALLOWED.has(file)) continue;
  const justified = firstCommentBlock(text)
    .split('\n')
    .some((l) => l.trimStart().startsWith(MARKER));
  if (!justified) {
    problems.push(
      `${file}: ${lines} lines (limit ${MAX_LINES}). Split it along its concerns, or say why it is one piece ` +
        `in a line starting "${MARKER}" in its first comment block.`,
    );
  }
}
for (const file of ALLOWED) {
  if (!stillLong.has(file)) {
    problems.push(
      `${file} is allow-listed in scripts/check-long-files.mjs but no longer over ${MAX_LINES} lines (or gone): remove it from ALLOWED.`,
    );
  }
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`long files: none over ${MAX_LINES} lines without a reason`);
