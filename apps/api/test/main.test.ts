import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { uniquePrefix } from '@vidqueue/testkit';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

type Child = { process: ChildProcess; out: () => string; lines: () => Record<string, unknown>[] };

function spawnApi(env: Record<string, string>): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return {
    process: child,
    out: () => out,
    lines: () =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

async function exitCode(child: Child): Promise<number | null> {
  if (child.process.exitCode !== null) return child.process.exitCode;
  const [code] = (await once(child.process, 'exit')) as [number | null];
  return code;
}

let child: Child | undefined;
afterEach(async () => {
  if (child && child.process.exitCode === null && child.process.signalCode === null) {
    const exited = once(child.process, 'exit');
    child.process.kill('SIGKILL');
    await exited;
  }
  child = undefined;
});

describe('main.ts as a real process', () => {
  it('serves on a free port and exits 0 on SIGTERM', async () => {
    child = spawnApi({ REDIS_URL: inject('redisUrl'), QUEUE_PREFIX: uniquePrefix('main'), PORT: '0' });
    await expect
      .poll(() => child!.lines().find((l) => l.msg === 'api ready'), { timeout: 15_000, interval: 50 })
      .toMatchObject({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) as unknown });
    const url = String(child.lines().find((l) => l.msg === 'api ready')?.url);
    const res = await fetch(`${url}/readyz`);
    expect(res.status).toBe(200);

    child.process.kill('SIGTERM');
    expect(await exitCode(child)).toBe(0);
    expect(child.lines().some((l) => l.msg === 'closing' && l.signal === 'SIGTERM')).toBe(true);
  });

  it('refuses to start on a public HOST without API_TOKENS (exit 1, says why)', async () => {
    child = spawnApi({ REDIS_URL: inject('redisUrl'), HOST: '0.0.0.0', PORT: '0' });
    expect(await exitCode(child)).toBe(1);
    expect(child.out()).toContain('without API_TOKENS');
  });

  it('reports a bad setting by name without echoing a secret (exit 1)', async () => {
    child = spawnApi({ REDIS_URL: 'http://:hunter2-secret@example.com', PORT: 'eighty' });
    expect(await exitCode(child)).toBe(1);
    expect(child.out()).toMatch(/REDIS_URL/);
    expect(child.out()).toMatch(/PORT/);
    expect(child.out()).not.toContain('hunter2-secret');
  });
});
