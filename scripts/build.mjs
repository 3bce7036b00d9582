// Production build: bundles each app's entry point with esbuild into dist/<app>.mjs.
// Our own workspace packages (TypeScript source) are bundled in; every third-party package stays
// external and is loaded from node_modules at run time (some, like Bull Board's UI, read files
// next to their code).
import { build } from 'esbuild';

const apps = ['api', 'worker', 'simulator', 'stack'];

const externalThirdParty = {
  name: 'external-third-party',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@vidqueue/') || args.path.startsWith('node:')) return undefined;
      return { path: args.path, external: true };
    });
  },
};

await Promise.all(
  apps.map((app) =>
    build({
      entryPoints: [`apps/${app}/src/main.ts`],
      outfile: `dist/${app}.mjs`,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      sourcemap: true,
      plugins: [externalThirdParty],
      logLevel: 'warning',
    }),
  ),
);
console.log(`built ${apps.map((a) => `dist/${a}.mjs`).join(', ')}`);
