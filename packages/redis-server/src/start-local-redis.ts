import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { once } from 'node:events';
import { freePort } from './free-port.js';

export type LocalRedis = {
  url: string;
  port: number;
  process: ChildProcess;
  /** Stops the server (SIGTERM, so an append-only file is flushed) and waits for it to exit. */
  stop(): Promise<void>;
};

export type LocalRedisOptions = {
  /** Data folder (append-only file and dump). Created if missing. */
  dir: string;
  port?: number;
  appendOnly?: boolean;
  /** fsync policy of the append-only file (Redis default `everysec`); `always` survives SIGKILL with no loss. */
  appendFsync?: 'always' | 'everysec' | 'no';
  bin?: string;
  /** More `redis-server` arguments (the cluster launcher's `--cluster-enabled yes`…). */
  extraArgs?: readonly string[];
};

/**
 * Starts a private `redis-server` on loopback, configured like production (noeviction,
 * optional append-only file), and resolves once it accepts connections.
 */
export async function startLocalRedis(options: LocalRedisOptions): Promise<LocalRedis> {
  mkdirSync(options.dir, { recursive: true });
  const port = options.port ?? (await freePort());
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    options.dir,
    '--maxmemory-policy',
    'noeviction',
    '--appendonly',
    options.appendOnly === false ? 'no' : 'yes',
    '--appendfsync',
    options.appendFsync ?? 'everysec',
    '--save',
    '',
    '--protected-mode',
    'yes',
    ...(options.extraArgs ?? []),
  ];
  const bin = options.bin ?? 'redis-server';
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'ENOENT'
          ? new Error(
              `'${bin}' was not found. Install Redis (e.g. apt-get install redis-server) or set REDIS_URL.`,
            )
          : err,
      );
    });
    child.once('exit', (code) =>
      reject(new Error(`redis-server exited with code ${code}:\n${output.slice(-2000)}`)),
    );
  });
  await ready;
  child.stdout?.removeAllListeners('data');
  child.stderr?.removeAllListeners('data');
  child.stdout?.resume();
  child.stderr?.resume();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
