import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
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
  /**
   * Resolves with the first JSON log line whose `msg` is `msg` (one already written included), as soon
   * as it is written; rejects with the output's tail when the process exits first or `timeoutMs`
   * passes (default 60 s: a cold `tsx` start on two busy cores can take tens of seconds).
   */
  waitForLine(msg: string, timeoutMs?: number): Promise<Record<string, unknown>>;
};

/** Default wait of `waitForLine`. */
export const LINE_WAIT_MS = 60_000;

/** Runs a TypeScript entry point in a real Node process (`node --import tsx`), from the repo root. */
export function spawnTs(script: string | URL, env: Record<string, string>): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(script)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const written = new EventEmitter();
  const onData = (chunk: Buffer) => {
    out += chunk.toString();
    written.emit('data');
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exit = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  const lines = () =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const waitForLine = (msg: string, timeoutMs = LINE_WAIT_MS) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const look = () => {
        const line = lines().find((l) => l.msg === msg);
        if (line === undefined) return;
        done();
        resolve(line);
      };
      const fail = (why: string) => {
        done();
        reject(new Error(`no "${msg}" log line: ${why}; output:\n${out.slice(-3000)}`));
      };
      const timer = setTimeout(() => fail(`not within ${timeoutMs} ms`), timeoutMs);
      const onExit = () => fail('the process exited');
      const done = () => {
        clearTimeout(timer);
        written.off('data', look);
        child.off('exit', onExit);
      };
      written.on('data', look);
      child.on('exit', onExit);
      look();
      if (child.exitCode !== null || child.signalCode !== null) onExit();
    });
  return {
    process: child,
    out: () => out,
    lines,
    waitForLine,
    exited: () => exit,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exit;
    },
  };
}
