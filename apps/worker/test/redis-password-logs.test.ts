import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnTs, uniquePrefix, type Child } from '@vidqueue/testkit';
import { FAST_ENV, PROVIDER_KEY } from './harness.js';

const MAIN = new URL('../src/main.ts', import.meta.url);
const PASSWORD = 'redis-pw-never-logged-7f3a';

// ioredis puts the failed command on its errors (`command: { name: 'auth', args: [user, password] }`);
// the worker logs BullMQ's connection errors with their `err`, so without the logger's own error
// serializer a wrong Redis password printed the one in REDIS_URL, once per reconnection.
describe('a Redis that refuses the worker’s password', () => {
  let redis: ChildProcess | undefined;
  let child: Child | undefined;

  afterEach(async () => {
    await child?.kill();
    if (redis && redis.exitCode === null) {
      redis.kill('SIGTERM');
      await once(redis, 'exit');
    }
    child = redis = undefined;
  });

  it('logs the refused AUTH by name, never its arguments', async () => {
    const port = await freePort();
    // A private redis-server that wants another password (no persistence, nothing on disk).
    const server = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'].concat([
        '--requirepass',
        'the-right-one',
      ]),
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    redis = server;
    let redisOut = '';
    server.stdout?.on('data', (c: Buffer) => (redisOut += c.toString()));
    await expect
      .poll(() => redisOut, { interval: 50, timeout: 10_000 })
      .toContain('Ready to accept connections');
    const worker = spawnTs(MAIN, {
      ...FAST_ENV,
      REDIS_URL: `redis://default:${PASSWORD}@127.0.0.1:${port}/0`,
      QUEUE_PREFIX: uniquePrefix('redis-pw'),
      AIMLAPI_KEY: PROVIDER_KEY,
      AIMLAPI_BASE_URL: 'http://127.0.0.1:9',
      LOG_LEVEL: 'info',
    });
    child = worker;
    await expect.poll(() => worker.out(), { interval: 100, timeout: 60_000 }).toMatch(/WRONGPASS/);
    expect(worker.out()).toContain('"command":{"name":"auth"}');
    expect(worker.out()).not.toContain(PASSWORD);
    expect(worker.out()).not.toContain(PROVIDER_KEY);
  }, 90_000);
});

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}
