import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/** The checkout's top folder: children run from there so `--import tsx` resolves. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export type ChildHandle = {
  name: string;
  process: ChildProcess;
  /** Resolves when the process has exited (at once if it already has). */
  exited: Promise<void>;
  /** Resolves with the first JSON log line whose `msg` is `msg`. */
  waitFor(msg: string, timeoutMs: number): Promise<Record<string, unknown>>;
  /** SIGKILL, and wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`; waits for the exit. */
  stop(graceMs: number): Promise<void>;
};

/**
 * Runs a TypeScript entry point as a real Node process (`node --import tsx`). Every output line is
 * handed to `onLine` (the harness keeps them to scan for secrets and prompts).
 */
export function spawnChild(
  name: string,
  script: URL,
  env: Record<string, string>,
  onLine: (name: string, line: string) => void,
): ChildHandle {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(script)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const waiters: { msg: string; resolve: (line: Record<string, unknown>) => void }[] = [];
  // Messages seen so far (first line of each), for a waitFor() that comes after the line.
  const seen = new Map<string, Record<string, unknown>>();
  let pending = '';
  const onData = (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.length === 0) continue;
      onLine(name, line);
      if (!line.startsWith('{')) continue;
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      if (typeof parsed.msg === 'string' && !seen.has(parsed.msg)) seen.set(parsed.msg, parsed);
      for (const w of waiters.splice(0)) {
        if (parsed.msg === w.msg) w.resolve(parsed);
        else waiters.push(w);
      }
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = once(child, 'exit').then(() => {
    if (pending.length > 0) onLine(name, pending);
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    name,
    process: child,
    exited,
    waitFor(msg, timeoutMs) {
      const already = seen.get(msg);
      if (already) return Promise.resolve(already);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${name}: no "${msg}" within ${timeoutMs} ms`)),
          timeoutMs,
        );
        const done = (line: Record<string, unknown>) => {
          clearTimeout(timer);
          resolve(line);
        };
        waiters.push({ msg, resolve: done });
        void exited.then(() => {
          clearTimeout(timer);
          reject(new Error(`${name} exited before "${msg}"`));
        });
      });
    },
    async kill() {
      if (running()) child.kill('SIGKILL');
      await exited;
    },
    async stop(graceMs) {
      if (!running()) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
