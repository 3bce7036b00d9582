import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/** The checkout's top folder (packages/testkit/src → ../../..). */
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export type Child = {
  process: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  out(): string;
  /** The JSON log lines so far. */
  lines(): Record<string, unknown>[];
  /** Resolves with the exit code and signal (at once if it already exited). */
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILLs it if it is still running. */
  kill(): Promise<void>;
};

/** Runs a TypeScript entry point in a real Node process (`node --import tsx`), from the repo root. */
export function spawnTs(script: string | URL, env: Record<string, string>): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(script)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exit = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  return {
    process: child,
    out: () => out,
    lines: () =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    exited: () => exit,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exit;
    },
  };
}
