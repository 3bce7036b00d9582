import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { spawnTs, uniquePrefix, type Child } from '@vidqueue/testkit';

const MAIN = new URL('../src/main.ts', import.meta.url);
/** Prices and balance from a port nothing listens on: the tests never reach the real provider. */
const CLOSED_PORT = 'http://127.0.0.1:9';
const spawnApi = (env: Record<string, string>): Child => spawnTs(MAIN, env);
const exitCode = async (child: Child) => (await child.exited()).code;

let child: Child | undefined;
afterEach(async () => {
  await child?.kill();
  child = undefined;
});

describe('main.ts as a real process', () => {
  it('serves on a free port and exits 0 on SIGTERM', async () => {
    child = spawnApi({ REDIS_URL: inject('redisUrl'), QUEUE_PREFIX: uniquePrefix('main'), PORT: '0' });
    const ready = await child.waitForLine('api ready');
    expect(ready).toMatchObject({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) as unknown });
    const url = String(ready.url);
    const res = await fetch(`${url}/readyz`);
    expect(res.status).toBe(200);

    child.process.kill('SIGTERM');
    expect(await exitCode(child)).toBe(0);
    expect(child.lines().some((l) => l.msg === 'closing' && l.signal === 'SIGTERM')).toBe(true);
  });

  it('on SIGTERM lets an upload in flight finish within SHUTDOWN_GRACE_MS (202, exit 0), and cuts one that takes longer (exit 1)', async () => {
    const prefix = uniquePrefix('main');
    child = spawnApi({
      REDIS_URL: inject('redisUrl'),
      QUEUE_PREFIX: prefix,
      PORT: '0',
      SHUTDOWN_GRACE_MS: '5000',
      AIMLAPI_BASE_URL: CLOSED_PORT,
    });
    const url = new URL(String((await child.waitForLine('api ready')).url));
    // A CSV upload whose first half is sent before the signal, the rest after it.
    const upload = () => {
      const req = request({
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: '/v1/batches',
        headers: { 'content-type': 'text/csv', 'transfer-encoding': 'chunked' },
      });
      const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
        req.on('response', (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          res.on('error', reject);
        });
        req.on('error', reject);
      });
      req.write('prompt\na lighthouse in a storm\n');
      return { req, answer };
    };
    const first = upload();
    await expect.poll(() => child!.lines().some((l) => l.msg === 'incoming request')).toBe(true);
    child.process.kill('SIGTERM');
    await child.waitForLine('closing');
    first.req.end('a fox in the snow\n');
    const answered = await first.answer;
    expect(answered.status, answered.body).toBe(202);
    expect(JSON.parse(answered.body)).toMatchObject({ total: 2 });
    expect(await exitCode(child)).toBe(0);

    // The same with a grace shorter than the upload: the process gives up on it and exits 1.
    child = spawnApi({
      REDIS_URL: inject('redisUrl'),
      QUEUE_PREFIX: prefix,
      PORT: '0',
      SHUTDOWN_GRACE_MS: '1000',
      AIMLAPI_BASE_URL: CLOSED_PORT,
    });
    const url2 = new URL(String((await child.waitForLine('api ready')).url));
    url.port = url2.port;
    const second = upload();
    second.answer.catch(() => undefined);
    await expect.poll(() => child!.lines().some((l) => l.msg === 'incoming request')).toBe(true);
    child.process.kill('SIGTERM');
    expect(await exitCode(child)).toBe(1);
    await expect(second.answer).rejects.toThrow();
    second.req.destroy();
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

  it('refuses an unknown DEFAULT_MODEL at start, naming the variable (exit 1)', async () => {
    child = spawnApi({ REDIS_URL: inject('redisUrl'), PORT: '0', DEFAULT_MODEL: 'acme/video-9000' });
    expect(await exitCode(child)).toBe(1);
    expect(child.out()).toContain('DEFAULT_MODEL: unknown model "acme/video-9000"');
  });

  it('starts with a model of the catalogue as DEFAULT_MODEL, and refuses a bad catalogue file but keeps the shipped one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vidq-api-cat-'));
    const file = join(dir, 'catalogue.json');
    writeFileSync(file, '{ not json');
    try {
      child = spawnApi({
        REDIS_URL: inject('redisUrl'),
        QUEUE_PREFIX: uniquePrefix('main'),
        PORT: '0',
        DEFAULT_MODEL: 'google/veo3',
        CATALOGUE_FILE: file,
      });
      const ready = await child.waitForLine('api ready');
      const refused = child.lines().find((l) => String(l.msg).startsWith('catalogue file refused'));
      expect(refused).toMatchObject({ level: 50, file });
      expect(String(refused?.msg)).toContain('not JSON');
      const url = String(ready.url);
      const models = (await (await fetch(`${url}/v1/models`)).json()) as { id: string; default: boolean }[];
      expect(models).toHaveLength(64);
      expect(models.find((m) => m.default)?.id).toBe('google/veo3');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
