// Production build: bundles each app's entry point with esbuild into apps/<app>/dist/main.mjs.
// Our own workspace packages (TypeScript source) are bundled in. Third-party packages stay external
// (some, like Bull Board's UI, read files next to their code), imported by the absolute path esbuild
// resolves from the importing package: pnpm gives each package only its own dependencies, so a bare
// name would not resolve from dist/. Build and run in the same folder (the Dockerfile does).
import { cp, readdir, rm } from 'node:fs/promises';
import { build } from 'esbuild';

const apps = ['api', 'worker', 'simulator', 'stack'];

const externalThirdParty = {
  name: 'external-third-party',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData?.inner || args.path.startsWith('@vidqueue/') || args.path.startsWith('node:'))
        return undefined;
      const resolved = await b.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: { inner: true },
      });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      // Node built-ins without the node: prefix resolve to themselves.
      if (!resolved.path.startsWith('/')) return { path: args.path, external: true };
      return { path: resolved.path, external: true };
    });
  },
};

// Code split off lazy imports lands in dist/ beside main.mjs under a content hash: remove the last
// build's files first, so only this build's chunks are left.
await Promise.all(
  apps.map(async (app) => {
    const dir = `apps/${app}/dist`;
    const files = await readdir(dir).catch(() => []);
    await Promise.all(files.filter((f) => /\.mjs(\.map)?$/.test(f)).map((f) => rm(`${dir}/${f}`)));
  }),
);
await Promise.all(
  apps.map((app) =>
    build({
      entryPoints: { main: `apps/${app}/src/main.ts` },
      outdir: `apps/${app}/dist`,
      outExtension: { '.js': '.mjs' },
      // A module imported lazily (the AWS SDK behind `STORAGE_URL=s3://…`) stays lazy: without
      // splitting, esbuild hoists its third-party imports into main.mjs and every process loads them.
      splitting: true,
      chunkNames: '[name]-[hash]',
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      sourcemap: true,
      // What Node itself would load: without esbuild's default `module` condition, which points some
      // packages (@opentelemetry/api) at an ESM build that only bundlers can read (extensionless imports).
      conditions: [],
      plugins: [externalThirdParty],
      logLevel: 'warning',
    }),
  ),
);
// The Redis scripts are read at run time from `lua/` beside the module that loads them
// (packages/core/src/store/scripts): in a bundle, beside dist/main.mjs.
await Promise.all(
  apps.map((app) => cp('packages/core/src/store/scripts/lua', `apps/${app}/dist/lua`, { recursive: true })),
);
// The web page's files (apps/api/src/web/public), found from `public/` beside the module that serves
// them: in a bundle that holds the API (the api's, and the stack's), beside dist/main.mjs.
await Promise.all(
  ['api', 'stack'].map((app) =>
    cp('apps/api/src/web/public', `apps/${app}/dist/public`, { recursive: true }),
  ),
);
console.log(`built ${apps.map((a) => `apps/${a}/dist/main.mjs`).join(', ')}`);
