import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { uniquePrefix } from '@vidqueue/testkit';

// Packs the tarball exactly as `pnpm publish` would (its `prepack` script builds dist/), installs it with npm into a fresh
// project outside the workspace (third-party dependencies come from the npm registry) and uses it
// from JavaScript and from TypeScript.

const run = promisify(execFile);
const pkgDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = path.resolve(pkgDir, '../..');
const tsc = path.join(repoRoot, 'node_modules/typescript/bin/tsc');

type Manifest = {
  name: string;
  private?: boolean;
  main?: string;
  types?: string;
  exports: Record<string, unknown>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
};

let work: string;
let tarball: string;
let manifest: Manifest;

async function sh(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  return run(cmd, args, { cwd, env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 });
}

describe('published package', () => {
  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'vidq-client-pack-'));
    // `prepack` runs the build: dist/ is removed first so a stale build cannot pass.
    await rm(path.join(pkgDir, 'dist'), { recursive: true, force: true });
    await sh('pnpm', ['pack', '--pack-destination', work], pkgDir);
    const tgz = (await readdir(work)).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new Error(`pnpm pack wrote no tarball into ${work}`);
    tarball = path.join(work, tgz);
    await sh('tar', ['-xzf', tarball, '-C', work, 'package/package.json'], work);
    manifest = JSON.parse(await readFile(path.join(work, 'package/package.json'), 'utf8')) as Manifest;
  }, 150_000); // pnpm pack builds the bundle and its .d.ts files: about a minute on two busy cores

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('packs a manifest that points at dist/ and depends on nothing private', async () => {
    expect(manifest.name).toBe('@vidqueue/client');
    expect(manifest.private).toBeUndefined();
    expect(manifest.exports).toEqual({
      '.': { types: './dist/index.d.ts', import: './dist/index.js' },
      './http': { types: './dist/http.d.ts', import: './dist/http.js' },
      './package.json': './package.json',
    });
    expect(manifest.main).toBe('./dist/index.js');
    expect(manifest.types).toBe('./dist/index.d.ts');

    const runtime = {
      ...manifest.dependencies,
      ...manifest.peerDependencies,
      ...manifest.optionalDependencies,
    };
    // @opentelemetry/api: the producer core's spans (a no-op unless the process registers an SDK);
    // cluster-key-slot: the queue shard of a job (the CRC16 of Redis Cluster, which ioredis uses too);
    // ipaddr.js: the producer's refusal of a webhook_url on a private address;
    // undici: the bundled provider client's HTTP (prices and balance in the Redis mode).
    expect(Object.keys(runtime).sort()).toEqual([
      '@opentelemetry/api',
      'bullmq',
      'cluster-key-slot',
      'csv-parse',
      'csv-stringify',
      'ioredis',
      'ipaddr.js',
      'undici',
      'zod',
    ]);
    for (const [name, range] of Object.entries(runtime)) {
      expect(name.startsWith('@vidqueue/'), name).toBe(false);
      expect(range, name).toMatch(/^[~^]?\d+\.\d+\.\d+/);
    }
    // devDependencies are ignored by npm for an installed package, but must still not leak the protocols.
    expect(JSON.stringify(manifest)).not.toMatch(/workspace:|catalog:/);

    const { stdout } = await sh('tar', ['-tzf', tarball], work);
    const files = stdout.trim().split('\n').sort();
    expect(files).toEqual(
      expect.arrayContaining([
        'package/README.md',
        'package/dist/http.d.ts',
        'package/dist/http.js',
        'package/dist/index.d.ts',
        'package/dist/index.js',
      ]),
    );
    expect(files.filter((f) => f.includes('/src/') || f.includes('/test/'))).toEqual([]);
  });

  it('installs with npm outside the workspace and works from JavaScript and TypeScript', async () => {
    const app = path.join(work, 'app');
    await sh('mkdir', ['-p', app], work);
    await writeFile(
      path.join(app, 'package.json'),
      JSON.stringify({ name: 'vidq-client-consumer', private: true, type: 'module' }),
    );
    await sh(
      'npm',
      ['install', tarball, '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'],
      app,
    );

    const installed = await readdir(path.join(app, 'node_modules'));
    expect(installed).toEqual(
      expect.arrayContaining(['bullmq', 'ioredis', 'zod', 'csv-parse', 'csv-stringify']),
    );
    expect(await readdir(path.join(app, 'node_modules/@vidqueue'))).toEqual(['client']);

    await writeFile(
      path.join(app, 'check.mjs'),
      `import { createClient, ValidationError, NotFoundError, UnavailableError, VidqueueError } from '@vidqueue/client';
import { createHttpClient, ValidationError as HttpValidationError } from '@vidqueue/client/http';

const out = { sameErrorClass: ValidationError === HttpValidationError };
const vq = createClient({ redisUrl: process.env.REDIS_URL, prefix: process.env.PREFIX });
try {
  await vq.enqueue({ prompt: 'a lighthouse', aspect_ratio: '7:3' });
  out.enqueue = 'accepted';
} catch (err) {
  out.enqueue = { validation: err instanceof ValidationError, base: err instanceof VidqueueError, issues: err.issues };
}
// A batch runs the Redis scripts (dist/lua) the bundle must carry.
const batch = await vq.enqueueMany([{ prompt: 'a harbour at dawn' }, { prompt: 'a kite' }]);
out.batch = (await vq.getBatch(batch.id)).total;
try {
  await vq.get('no-such-video');
  out.get = 'found';
} catch (err) {
  out.get = { notFound: err instanceof NotFoundError, code: err.code };
}
await vq.close();
const http = createHttpClient({ apiUrl: 'http://127.0.0.1:1', requestTimeoutMs: 2000 });
try {
  await http.get('x');
  out.http = 'answered';
} catch (err) {
  out.http = { unavailable: err instanceof UnavailableError };
}
await http.close();
console.log(JSON.stringify(out));
`,
    );
    const { stdout } = await sh('node', ['check.mjs'], app, {
      REDIS_URL: inject('redisUrl'),
      PREFIX: uniquePrefix('pack'),
    });
    const out = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
    expect(out).toMatchObject({
      sameErrorClass: true,
      enqueue: { validation: true, base: true, issues: [expect.objectContaining({ path: 'aspect_ratio' })] },
      batch: 2,
      get: { notFound: true, code: 'VIDEO_NOT_FOUND' },
      http: { unavailable: true },
    });

    await writeFile(
      path.join(app, 'check.ts'),
      `import { createClient, GenerationFailedError, type VideoView, type VidqueueClient } from '@vidqueue/client';
import { createHttpClient, type HttpClientOptions } from '@vidqueue/client/http';

const options: HttpClientOptions = { apiUrl: 'http://127.0.0.1:3000' };
const client: VidqueueClient = Math.random() > 0.5 ? createClient({ redisUrl: 'redis://127.0.0.1' }) : createHttpClient(options);
export async function url(id: string): Promise<string | null | undefined> {
  try {
    const done: VideoView = await client.waitFor(id, { timeoutMs: 1000 });
    return done.video_url;
  } catch (err) {
    if (err instanceof GenerationFailedError) return err.failureCode;
    throw err;
  }
}
// @ts-expect-error a prompt is required
void client.enqueue({ duration: 5 });
`,
    );
    await writeFile(
      path.join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          strict: true,
          noEmit: true,
          // Only the packages' own types are checked; @types/node comes from the repository.
          typeRoots: [path.join(repoRoot, 'node_modules/@types')],
          types: ['node'],
        },
        files: ['check.ts'],
      }),
    );
    await sh(process.execPath, [tsc, '-p', 'tsconfig.json'], app);
  }, 150_000); // npm install from the registry, then tsc: can take a minute on two busy cores
});
