// `pnpm lint`: no source or test file names a file of another workspace package by a relative path in a
// string, e.g. `new URL('../../worker/src/main.ts', import.meta.url)` to spawn another app. Such paths are
// imports in all but name, and dependency-cruiser cannot see them: go through the package instead
// (`require.resolve('@vidqueue/worker/main')`, with the package in package.json).
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { ROOT, packageOf, sourceFiles } from './source-files.mjs';

// A string literal that starts with ../ (no template substitutions).
const RELATIVE_STRING = /(['"`])(\.\.\/[^'"`$\n]*)\1/g;

const problems = [];
for (const file of sourceFiles({ tests: true })) {
  const own = packageOf(file);
  const text = readFileSync(join(ROOT, file), 'utf8');
  for (const match of text.matchAll(RELATIVE_STRING)) {
    const target = relative(ROOT, join(ROOT, dirname(file), match[2] ?? ''))
      .split('\\')
      .join('/');
    const other = packageOf(target);
    if (other === undefined || other === own) continue;
    const line = text.slice(0, match.index).split('\n').length;
    problems.push(
      `${file}:${line}: '${match[2]}' reaches into ${other} by path; use the package by name instead.`,
    );
  }
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log('package paths: no file reaches into another package by a relative path');
