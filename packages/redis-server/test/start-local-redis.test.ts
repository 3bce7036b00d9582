import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, startLocalRedis, type LocalRedis } from '../src/index.js';

// Plain RESP over a socket: this package has no Redis client, and its test needs none.
async function command(port: number, ...args: string[]): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
  const [reply] = (await once(socket, 'data')) as [Buffer];
  socket.destroy();
  return reply.toString('utf8').trim();
}

let redis: LocalRedis | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await redis?.stop();
  redis = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'vidq-redis-server-'));
  dirs.push(dir);
  return dir;
};

describe('startLocalRedis', () => {
  it('starts a loopback redis-server configured like production, and stops it', async () => {
    const dir = join(tempDir(), 'data');
    redis = await startLocalRedis({ dir });
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(await command(redis.port, 'PING')).toBe('+PONG');
    expect(await command(redis.port, 'CONFIG', 'GET', 'maxmemory-policy')).toContain('noeviction');
    expect(await command(redis.port, 'CONFIG', 'GET', 'appendonly')).toContain('yes');
    expect(readdirSync(dir).length).toBeGreaterThan(0); // the data folder was created and used

    await redis.stop();
    expect(redis.process.exitCode ?? redis.process.signalCode).not.toBeNull();
    await redis.stop(); // a second stop is harmless
  });

  it('listens on the port it is given, without an append-only file when asked', async () => {
    const port = await freePort();
    redis = await startLocalRedis({ dir: tempDir(), port, appendOnly: false });
    expect(redis.port).toBe(port);
    expect(await command(port, 'CONFIG', 'GET', 'appendonly')).toContain('no');
  });

  it('says how to get Redis when the binary is missing', async () => {
    await expect(startLocalRedis({ dir: tempDir(), bin: 'no-such-redis-server' })).rejects.toThrow(
      /'no-such-redis-server' was not found\. Install Redis/,
    );
  });
});
