// Builds the publishable package into dist/ (see README, "Building and publishing"):
// - JavaScript: esbuild bundles src/ together with the private @vidqueue/* workspace packages it imports
//   (they are not on npm). Every other bare import (bullmq, ioredis, zod, csv-parse, csv-stringify) stays an import and
//   must be listed in this package's `dependencies`, or the build fails. The two entry points share
//   one chunk, so `instanceof` on the error classes works across `.` and `./http`.
// - Types: dts-bundle-generator writes one .d.ts per entry point with the @vidqueue/* types inlined.
import { cp, rm, writeFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { generateDtsBundle } from 'dts-bundle-generator';

const root = path.dirname(fileURLToPath(import.meta.url));
const entries = { index: 'src/index.ts', http: 'src/http.ts' };
const outdir = path.join(root, 'dist');
const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
const dependencies = new Set(Object.keys(pkg.dependencies ?? {}));
const ownSrc = path.join(root, 'src') + path.sep;

/** Bare imports other than @vidqueue/* stay external; workspace code is bundled as side-effect free. */
const bundlePrivate = {
  name: 'bundle-private-workspace-packages',
  setup(b) {
    b.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData?.inner) return undefined;
      if (args.path.startsWith('node:')) return { path: args.path, external: true };
      if (/^[^./]/.test(args.path) && !args.path.startsWith('@vidqueue/'))
        return { path: args.path, external: true };
      const resolved = await b.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: { inner: true },
      });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      // Only parts of @vidqueue/core the client uses end up in the bundle (not its logger, so no pino).
      const sideEffects = resolved.path.startsWith(ownSrc) ? undefined : false;
      return { path: resolved.path, sideEffects };
    });
  },
};

await rm(outdir, { recursive: true, force: true });

const result = await build({
  absWorkingDir: root,
  entryPoints: entries,
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  metafile: true,
  plugins: [bundlePrivate],
  logLevel: 'warning',
});

// The Redis scripts of @vidqueue/core are read at run time from `lua/` beside the loading module: in
// this bundle, dist/lua (the chunks all sit in dist/).
await cp(path.join(root, '../core/src/store/scripts/lua'), path.join(outdir, 'lua'), { recursive: true });

const packageName = (spec) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');
const externals = new Set();
for (const output of Object.values(result.metafile.outputs))
  for (const imp of output.imports)
    if (imp.external && !imp.path.startsWith('node:')) externals.add(packageName(imp.path));
const missing = [...externals].filter((name) => !dependencies.has(name));
const unused = [...dependencies].filter((name) => !externals.has(name));
if (missing.length > 0 || unused.length > 0) {
  console.error(
    `dist imports ${[...externals].join(', ')}; package.json dependencies: ${[...dependencies].join(', ')}`,
  );
  if (missing.length > 0) console.error(`missing from dependencies: ${missing.join(', ')}`);
  if (unused.length > 0) console.error(`listed but not imported: ${unused.join(', ')}`);
  process.exit(1);
}

const names = Object.keys(entries);
const dts = generateDtsBundle(
  names.map((name) => ({
    filePath: path.join(root, entries[name]),
    libraries: {
      inlinedLibraries: [
        '@vidqueue/core/contract',
        '@vidqueue/core/store',
        '@vidqueue/core/runtime',
        '@vidqueue/core/producer',
        '@vidqueue/aimlapi',
        '@vidqueue/bulk',
        '@vidqueue/provider-schemas',
      ],
    },
    output: { noBanner: true, exportReferencedTypes: false },
  })),
  { preferredConfigPath: path.join(root, 'tsconfig.build.json') },
);
await Promise.all(names.map((name, i) => writeFile(path.join(outdir, `${name}.d.ts`), dts[i])));

console.log(
  `built ${names.map((n) => `dist/${n}.js + dist/${n}.d.ts`).join(', ')}; external: ${[...externals].join(', ')}`,
);
