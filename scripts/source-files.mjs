// The workspace's own source files, for the checks `pnpm lint` runs beside ESLint and dependency-cruiser.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout's top folder (scripts/ → ..). */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));

const SOURCE = /\.(ts|mts|cts|tsx|js|mjs|cjs)$/;

function walk(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    if (e.name === 'node_modules' || e.name === 'dist') return [];
    const path = join(dir, e.name);
    if (e.isDirectory()) return walk(path);
    return e.isFile() && SOURCE.test(e.name) ? [path] : [];
  });
}

const members = (folder) =>
  readdirSync(join(ROOT, folder))
    .filter((name) => statSync(join(ROOT, folder, name)).isDirectory())
    .map((name) => `${folder}/${name}`);

/** The package folder a path (relative to ROOT) belongs to: `apps/x`, `packages/x`, `bench`, `examples`. */
export function packageOf(path) {
  const [top, name] = path.split('/');
  let dir;
  if ((top === 'apps' || top === 'packages') && name) dir = `${top}/${name}`;
  else if (top === 'bench' || top === 'examples') dir = top;
  // Only a real workspace member counts (a test's '../../etc/passwd' names no package).
  return dir !== undefined && existsSync(join(ROOT, dir, 'package.json')) ? dir : undefined;
}

/**
 * Source files relative to ROOT: every `src/` of apps/*, packages/* and bench, and with `tests` also
 * their `test/` folders and examples/.
 */
export function sourceFiles({ tests = false } = {}) {
  const roots = [...members('apps'), ...members('packages'), 'bench'];
  const dirs = roots.flatMap((r) => (tests ? [`${r}/src`, `${r}/test`] : [`${r}/src`]));
  if (tests) dirs.push('examples');
  return dirs
    .flatMap((d) => walk(join(ROOT, d)))
    .map((f) => relative(ROOT, f).split('\\').join('/'))
    .filter((f) => tests || !/\.test\.[a-z]+$/.test(f))
    .sort();
}
