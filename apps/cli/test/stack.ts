import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { createAimlApiClient } from '@vidqueue/aimlapi';
import { startApi, type RunningApi } from '@vidqueue/api';
import { createLogger, createRedis, loadConfig, type Config } from '@vidqueue/core';
import { startSimulator, type RunningSimulator } from '@vidqueue/simulator';
import { LogSink, uniquePrefix } from '@vidqueue/testkit';
import { startWorker, type RunningWorker } from '@vidqueue/worker';

export const API_TOKEN = 'cli-test-token-9c2d';
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export type TestStack = {
  config: Config;
  simulator: RunningSimulator;
  worker: RunningWorker;
  api: RunningApi;
  close(): Promise<void>;
};

/** A real simulator, worker and API over the suite's Redis, under a prefix of its own, with short timings. */
export async function startTestStack(): Promise<TestStack> {
  const redisUrl = inject('redisUrl');
  const simulator = await startSimulator({ generationMs: 300, queuedFraction: 0.2 });
  const config = loadConfig({
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: uniquePrefix('cli'),
    PORT: '0',
    API_TOKENS: API_TOKEN,
    AIMLAPI_KEY: 'sim-key',
    AIMLAPI_BASE_URL: simulator.url,
    STATUS_FIRST_CHECK_MS: '100',
    STATUS_INTERVAL_MS: '100',
    STATUS_SCHEDULE: 'fixed',
    WORKER_CONCURRENCY: '8',
  });
  const logger = createLogger({ level: 'warn', destination: new LogSink() });
  const client = createAimlApiClient({ apiKey: 'sim-key', baseUrl: simulator.url, timeoutMs: 5_000 });
  const worker = await startWorker({ config, logger, client });
  const api = await startApi({ config, logger });
  return {
    config,
    simulator,
    worker,
    api,
    async close() {
      await api.close();
      await worker.close();
      await simulator.close();
      const redis = createRedis(redisUrl, 'worker');
      try {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${config.QUEUE_PREFIX}:*`, 'COUNT', 500);
          cursor = next;
          if (keys.length > 0) await redis.del(...keys);
        } while (cursor !== '0');
      } finally {
        await redis.quit();
      }
    },
  };
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
