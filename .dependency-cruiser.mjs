// The import rules `pnpm lint` enforces with dependency-cruiser (`pnpm exec depcruise --config
// .dependency-cruiser.mjs apps packages bench examples scripts`). Each rule says why it exists, and a violation
// prints it. The layers, lowest first; each may import only layers before it:
//   0. packages/telemetry (spans through @opentelemetry/api only; imports nothing of ours)
//   1. packages/redis-server, packages/aimlapi, packages/bulk
//   2. packages/testkit (redis-server only), packages/core (inside: contract, runtime, store, producer)
//   3. packages/client (bundles core, bulk, aimlapi)
//   4. apps/* (apps/test-stack too: it imports the other apps; apps/tracing: the OpenTelemetry SDK), bench,
//      examples
//   5. tests: any package's test/ may use anything above, apps included, through their packages.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CORE = '^packages/core/src';
/** The checkout's top folder (rule paths are relative to it: run depcruise from there). */
const ROOT = fileURLToPath(new URL('.', import.meta.url));

/** Workspace members from pnpm-workspace.yaml (`dir/*` globs and plain folders) with their manifests. */
function workspaceMembers() {
  const yaml = readFileSync(join(ROOT, 'pnpm-workspace.yaml'), 'utf8');
  const block = yaml.slice(yaml.indexOf('packages:'), yaml.indexOf('\n\n', yaml.indexOf('packages:')));
  const patterns = [...block.matchAll(/^\s+-\s+(\S+)\s*$/gm)].map((m) => m[1] ?? '');
  const dirs = patterns.flatMap((pattern) =>
    pattern.endsWith('/*')
      ? readdirSync(join(ROOT, pattern.slice(0, -2)), { withFileTypes: true })
          .filter((d) => d.isDirectory())
          .map((d) => `${pattern.slice(0, -2)}/${d.name}`)
      : [pattern],
  );
  return dirs
    .filter((dir) => existsSync(join(ROOT, dir, 'package.json')))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) }));
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/**
 * Workspace packages a member's src must not import because its package.json lists them only under
 * devDependencies. dependency-cruiser types npm packages (npm, npm-dev) from the nearest package.json, but
 * pnpm workspace links resolve to their real folders and come out "undetermined", so these rules are made
 * from the manifests. packages/client is the exception: its build bundles the private @vidqueue/* packages
 * into the published SDK (they are not on npm), so they are build-time devDependencies by design.
 */
function workspaceDevDependencyRules() {
  const members = workspaceMembers();
  const dirByName = new Map(members.map((m) => [m.manifest.name, m.dir]));
  return members
    .filter((m) => m.dir !== 'packages/client')
    .map((m) => {
      const runtime = new Set(Object.keys(m.manifest.dependencies ?? {}));
      const devOnly = Object.keys(m.manifest.devDependencies ?? {})
        .filter((name) => !runtime.has(name) && dirByName.has(name))
        .map((name) => `^${escape(dirByName.get(name) ?? '')}/`);
      return { dir: m.dir, devOnly };
    })
    .filter((m) => m.devOnly.length > 0)
    .map(({ dir, devOnly }) => ({
      name: 'not-to-dev-dep-workspace',
      comment:
        `${dir}/src imports a workspace package its package.json lists only under devDependencies: ` +
        'production installs (pnpm install --prod) leave it out. Move it to dependencies, or keep it in tests.',
      severity: /** @type {const} */ ('error'),
      from: { path: `^${escape(dir)}/src/` },
      to: { path: devOnly, dependencyTypesNot: /** @type {const} */ (['type-only']) },
    }));
}

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-circular',
      comment:
        'A cycle means neither module can be understood, tested or moved without the other, and ESM ' +
        'evaluation order inside it decides which one sees the other half-initialised. Break it by moving ' +
        'the shared piece down into a module both import.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'packages-not-to-apps',
      comment:
        'packages/* are the libraries the apps are built from; an app is a process. A package whose src ' +
        'imports an app turns the layering upside down and drags a whole process (Fastify, BullMQ workers) ' +
        'into every user of the package. Helpers that need the apps live in apps/ (apps/test-stack); tests ' +
        'may use apps, src never.',
      severity: 'error',
      from: { path: '^packages/[^/]+/src/' },
      to: { path: '^apps/' },
    },
    {
      name: 'simulator-not-from-the-client',
      comment:
        'The simulator stands in for the provider and is built from the provider references ' +
        '(@vidqueue/provider-schemas, its own price list), never from the client in packages/aimlapi: a mistake ' +
        'the two shared would then pass every test. Its tests may use the client to talk to it.',
      severity: 'error',
      from: { path: '^apps/simulator/src/' },
      to: { path: '^packages/aimlapi/' },
    },
    {
      name: 'testkit-below-core',
      comment:
        "testkit and redis-server sit below core, so core's own tests can use them as a normal " +
        'devDependency; if either imported core (or anything above it), core → testkit → core would be a ' +
        'cycle again. redis-server only starts a process; testkit talks to Redis with plain ioredis.',
      severity: 'error',
      from: { path: '^packages/(testkit|redis-server)/src/' },
      to: { path: '^(apps|packages)/', pathNot: '^packages/(testkit|redis-server)/' },
    },
    {
      name: 'telemetry-imports-nothing-of-ours',
      comment:
        'packages/telemetry is the bottom layer: aimlapi, core, webhooks and the apps all make spans with it. ' +
        'If it imported any of them, that package would import itself through it.',
      severity: 'error',
      from: { path: '^packages/telemetry/src/' },
      to: { path: '^(apps|packages)/', pathNot: '^packages/telemetry/' },
    },
    {
      name: 'otel-sdk-only-in-apps',
      comment:
        'Libraries trace through @opentelemetry/api alone, which is a no-op until a process registers an ' +
        'SDK; the SDK (provider, exporters, resources, context manager) is the choice of the process, and ' +
        'apps/tracing makes it for ours. A package that loaded it would start exporting for whoever uses it.',
      severity: 'error',
      from: { path: '^packages/[^/]+/src/' },
      to: {
        path: 'node_modules/@opentelemetry/(sdk-|exporter-|resources|context-|otlp-|core/)',
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'core-contract-imports-no-core',
      comment:
        'contract is the bottom layer of core: schemas, names and pure mappings that the API, the worker, ' +
        'the SDK and other-language producers agree on. It must import nothing else of core so that it ' +
        'can be used (and bundled) without connections, loggers or Redis scripts.',
      severity: 'error',
      from: { path: `${CORE}/contract/` },
      to: { path: `${CORE}/`, pathNot: `${CORE}/contract/` },
    },
    {
      name: 'core-contract-no-io-libraries',
      comment:
        'contract does no I/O: it may use zod at run time and nothing else from npm (types from ioredis or ' +
        'bullmq are fine with `import type`, they vanish at compile time).',
      severity: 'error',
      from: { path: `${CORE}/contract/` },
      to: {
        dependencyTypes: ['npm', 'npm-dev', 'npm-peer', 'npm-optional', 'npm-no-pkg', 'npm-unknown'],
        dependencyTypesNot: ['type-only'],
        pathNot: '(^|/)node_modules/zod/',
      },
    },
    {
      name: 'core-runtime-imports-contract-only',
      comment:
        'runtime (config, connections, logger, metrics) is what any process needs to run; it may use the ' +
        'contract but not the store or the producer, which are built on top of it.',
      severity: 'error',
      from: { path: `${CORE}/runtime/` },
      to: { path: `${CORE}/`, pathNot: `${CORE}/(runtime|contract)/` },
    },
    {
      name: 'core-store-below-producer',
      comment:
        'store (queue, batch store, Redis scripts, BullMQ key writes) may use contract and runtime; the ' +
        'producer operations are built on the store, never the other way round.',
      severity: 'error',
      from: { path: `${CORE}/store/` },
      to: { path: `${CORE}/`, pathNot: `${CORE}/(store|runtime|contract)/` },
    },
    {
      name: 'no-relative-import-into-another-package',
      comment:
        "A relative path into another package's folder (../../x/src/...) skips its package.json: no " +
        'declared dependency, no exports map, and it breaks when either folder moves. Import the package by ' +
        'name (add it to package.json), through what its exports offer.',
      severity: 'error',
      from: { path: '^(apps|packages)/([^/]+)/' },
      to: { dependencyTypes: ['local'], path: '^(apps|packages|bench|examples)/', pathNot: '^$1/$2/' },
    },
    {
      name: 'no-relative-import-into-a-package-from-bench-or-examples',
      comment: 'The same for bench/ and examples/: they use the packages by name, like any other user.',
      severity: 'error',
      from: { path: '^(bench|examples)/' },
      to: { dependencyTypes: ['local'], path: '^(apps|packages)/' },
    },
    {
      name: 'apps-not-into-other-apps-src',
      comment:
        "An app may use another app only through what that app's package.json exports (src/index.ts, and " +
        'src/main.ts as `./main` for harnesses that run it as a process), however the import is spelled: its ' +
        "other files are that app's own business and change without notice.",
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/[^/]+/src/', pathNot: ['^apps/$1/', '^apps/[^/]+/src/(index|main)\\.ts$'] },
    },
    {
      name: 'not-to-dev-dep',
      comment:
        'src ships (bundles, production images installed with --prod): an npm package it imports at run ' +
        "time must be in that package's dependencies, not devDependencies. Tests may use devDependencies.",
      severity: 'error',
      from: { path: '^((apps|packages)/[^/]+/src|bench/src)/' },
      to: {
        dependencyTypes: ['npm-dev'],
        dependencyTypesNot: ['type-only'],
        pathNot: 'node_modules/@types/',
      },
    },
    ...workspaceDevDependencyRules(),
    {
      name: 'no-non-package-json',
      comment:
        'An npm package that is not in the nearest package.json only resolves because something else ' +
        'hoisted it; declare it (with `catalog:`) in the package that imports it.',
      severity: 'error',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'not-to-unresolvable',
      comment:
        'An import that does not resolve to a file is broken (a typo, a moved file, or a workspace package ' +
        'missing from package.json, which pnpm does not link).',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-orphans',
      comment:
        'A module nothing imports and that imports nothing of ours is dead code, or an entry point that ' +
        'should say so here.',
      severity: 'error',
      from: {
        orphan: true,
        pathNot: [
          '(^|/)\\.[^/]+\\.(js|cjs|mjs|ts)$', // dot files (this one)
          '\\.d\\.ts$',
          // Process entry points started by path (node --import tsx <file>), never imported:
          '^bench/src/reference-worker\\.ts$', // the raw-BullMQ reference worker the bench runs
          '^packages/testkit/test/fixtures/logs-then-exits\\.ts$', // the child of child-process.test.ts
        ],
      },
      to: {},
    },
    {
      name: 'not-to-test',
      comment: 'Nothing imports a test file; shared test code goes in a helper module (or testkit).',
      severity: 'error',
      from: {},
      to: { path: '\\.test\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: ['node_modules'] },
    exclude: { path: ['(^|/)dist/'] },
    // Type-only imports count too: they are edges of the design even when they vanish at run time.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Resolve like Node and TypeScript do here: package.json "exports" (our packages export TypeScript
    // source), ESM conditions, `.js` in relative imports standing for the `.ts` file.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.mjs', '.js'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
