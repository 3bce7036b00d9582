// `pnpm lint`: a source file (apps/*/src, packages/*/src, bench/src; not tests) over MAX_LINES lines fails
// unless its first comment block has a line starting "One piece:" that says why it stays one file.
// Files of 30 to 200 lines holding one concept are the norm here (docs/STYLE); a long file either
// splits along its concerns or explains why it cannot.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, sourceFiles } from './source-files.mjs';

const MAX_LINES = 300;
const MARKER = 'One piece:';

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
for (const file of sourceFiles()) {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const lines = lineCount(text);
  if (lines <= MAX_LINES) continue;
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
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`long files: none over ${MAX_LINES} lines without a reason`);
