import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../src/paths.js';

const read = (file: string) => readFileSync(join(PROJECT_ROOT, file), 'utf8');

/** Workspace members from pnpm-workspace.yaml (`dir/*` globs and plain folders). */
function workspaceMembers(): string[] {
  const yaml = read('pnpm-workspace.yaml');
  const block = yaml.slice(yaml.indexOf('packages:'), yaml.indexOf('\n\n', yaml.indexOf('packages:')));
  const patterns = [...block.matchAll(/^\s+-\s+(\S+)\s*$/gm)].map((m) => m[1]!);
  return patterns.flatMap((pattern) =>
    pattern.endsWith('/*')
      ? readdirSync(join(PROJECT_ROOT, pattern.slice(0, -2)), { withFileTypes: true })
          .filter(
            (d) =>
              d.isDirectory() && existsSync(join(PROJECT_ROOT, pattern.slice(0, -2), d.name, 'package.json')),
          )
          .map((d) => `${pattern.slice(0, -2)}/${d.name}`)
      : [pattern],
  );
}

describe('deployment files', () => {
  it('the Dockerfile copies every workspace manifest before the frozen install', () => {
    const dockerfile = read('Dockerfile');
    const install = dockerfile.indexOf('RUN pnpm install --frozen-lockfile');
    const members = workspaceMembers();
    expect(members.length).toBeGreaterThan(5);
    for (const member of members) {
      const copy = dockerfile.indexOf(`COPY ${member}/package.json ${member}/`);
      expect(copy, `Dockerfile lacks COPY ${member}/package.json`).toBeGreaterThan(-1);
      expect(copy).toBeLessThan(install);
    }
  });

  it('docker-compose runs bundles that scripts/build.mjs builds', () => {
    const compose = read('docker-compose.yml');
    const build = read('scripts/build.mjs');
    const built = JSON.parse(/const apps = (\[[^\]]*\])/.exec(build)![1]!.replace(/'/g, '"')) as string[];
    const commands = [...compose.matchAll(/'apps\/([a-z]+)\/dist\/main\.mjs'/g)].map((m) => m[1]!);
    // api and worker twice: once on the one Redis, once in the `cluster` profile.
    expect(commands.sort()).toEqual(['api', 'api', 'simulator', 'worker', 'worker']);
    for (const app of commands) expect(built).toContain(app);
  });

  it('the production bundle loads the AWS SDK only through its lazy import (STORAGE_URL=s3://…)', () => {
    execFileSync(process.execPath, [join(PROJECT_ROOT, 'scripts/build.mjs')], {
      cwd: PROJECT_ROOT,
      stdio: 'ignore',
    });
    // Static imports of the entry module (and of the chunks it imports statically) load at start.
    const dist = 'apps/api/dist';
    const loaded = new Set<string>();
    const visit = (file: string) => {
      if (loaded.has(file)) return;
      loaded.add(file);
      const code = read(`${dist}/${file}`);
      for (const m of code.matchAll(/^import\s[^;]*?from\s*"\.\/([^"]+)";/gm)) visit(m[1]!);
    };
    visit('main.mjs');
    const atStart = [...loaded].map((f) => read(`${dist}/${f}`));
    expect(atStart.some((code) => /^import\s[^;]*?from\s*"[^"]*@aws-sdk/m.test(code))).toBe(false);
    // The SDK is still in the bundle, in a chunk of its own.
    const chunks = readdirSync(join(PROJECT_ROOT, dist)).filter((f) => f.endsWith('.mjs') && !loaded.has(f));
    expect(chunks.some((f) => read(`${dist}/${f}`).includes('@aws-sdk/client-s3'))).toBe(true);
  }, 60_000);
});
