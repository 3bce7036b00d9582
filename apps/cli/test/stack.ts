import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startTestStack as startStack, type TestStack } from '@vidqueue/test-stack';

export type { TestStack };

export const API_TOKEN = 'cli-test-token-9c2d';
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The whole stack (simulator, worker, API) the CLI talks to, with the fixed check schedule. */
export function startTestStack(): Promise<TestStack> {
  return startStack({ label: 'cli', token: API_TOKEN, env: { STATUS_SCHEDULE: 'fixed' } });
}

export type RunResult = { code: number | null; stdout: string; stderr: string };

/** Runs a real process: `node --import tsx <script> ...args` from the checkout's root. */
export function runNode(
  script: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: ROOT,
      env: { ...process.env, FORCE_COLOR: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
