import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { newVideoId, type GenerationJobData } from '@vidqueue/core/contract';
import { GENERATION_JOB_NAME, createGenerationQueue, type GenerationQueue } from '@vidqueue/core/store';
import { createRedis, loadConfig, type Config } from '@vidqueue/core/runtime';
import { startLocalRedis } from '@vidqueue/redis-server';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const PROVIDER_KEY = 'bench-provider-key';
export const MODEL = 'sber-ai/kandinsky5-distill-t2v';

/** A private redis-server (no append-only file) in a temporary folder, removed on stop. */
export async function privateRedis(): Promise<{ url: string; redis: Redis; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'vidq-bench-'));
  const server = await startLocalRedis({ dir, appendOnly: false });
  const redis = createRedis(server.url, 'worker');
  return {
    url: server.url,
    redis,
    async stop() {
      await redis.quit();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** vidqueue config for a bench run (defaults plus `env`), as a worker child would load it. */
export function benchConfig(env: Record<string, string>): Config {
  return loadConfig({ AIMLAPI_KEY: PROVIDER_KEY, LOG_LEVEL: 'warn', ...env });
}

export function queueFor(redis: Redis, config: Config): GenerationQueue {
  return createGenerationQueue(redis, config);
}

/**
 * Minimal generation jobs, enqueued in chunks with addBulk (as a producer would) to a queue or to its
 * shards (`GenerationQueues`); `priority` gives the i-th job a BullMQ priority (none by default).
 */
export async function enqueue(
  queue: { addBulk(jobs: Parameters<GenerationQueue['addBulk']>[0]): Promise<unknown> },
  count: number,
  tag: string,
  chunk = 1000,
  priority?: (i: number) => number,
): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < count; start += chunk) {
    const jobs = [];
    for (let i = start; i < Math.min(count, start + chunk); i++) {
      const jobId = newVideoId();
      ids.push(jobId);
      const data: GenerationJobData = {
        input: { model: MODEL, prompt: `${tag} prompt ${i}` },
        step: 'pending',
        polls: 0,
        retries: 0,
      };
      const opts = priority ? { jobId, priority: priority(i) } : { jobId };
      jobs.push({ name: GENERATION_JOB_NAME as typeof GENERATION_JOB_NAME, data, opts });
    }
    await queue.addBulk(jobs);
  }
  return ids;
}

export type ProcessUsage = {
  /** Peak resident set (VmHWM), bytes. */
  peakRssBytes: number;
  /** User + system CPU time since start, ms. */
  cpuMs: number;
};

/** Resource use of a live process from /proc (Linux). */
export function procUsage(pid: number): ProcessUsage {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { peakRssBytes: Number(hwm?.[1] ?? 0) * 1024, cpuMs: (ticks * 1000) / 100 };
}

export type Child = {
  process: ChildProcess;
  pid: number;
  usage(): ProcessUsage;
  output(): string;
  /** SIGTERM, then waits for the exit (SIGKILL after 15 s). */
  stop(): Promise<void>;
};

/** Runs a TypeScript entry point (an absolute path) as its own Node process (`node --import tsx`). */
export function spawnTs(script: string, env: Record<string, string>): Child {
  return spawnNode(['--import', 'tsx', script], env);
}

/** Runs `node <args>` (after BENCH_NODE_ARGS) as its own process, e.g. a production bundle. */
export function spawnNode(args: string[], env: Record<string, string>): Child {
  const nodeArgs = process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : [];
  const child = spawn(process.execPath, [...nodeArgs, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = once(child, 'exit');
  return {
    process: child,
    pid: child.pid ?? 0,
    usage: () => procUsage(child.pid ?? 0),
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * The end of a scenario run, in this order: stops the child process (worker or API), empties
 * (best effort) and closes each queue, closes the simulator, stops the private Redis. Every part
 * is optional, so a scenario that owns some of them per run and the rest for the whole scenario
 * calls it once for each.
 */
export async function teardown(parts: {
  child?: Child;
  queues?: readonly Pick<GenerationQueue, 'obliterate' | 'close'>[];
  sim?: { close(): Promise<void> };
  redis?: { stop(): Promise<void> };
}): Promise<void> {
  await parts.child?.stop();
  for (const queue of parts.queues ?? []) {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
  await parts.sim?.close();
  await parts.redis?.stop();
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` every `everyMs` until it returns true; throws after `timeoutMs`. */
export async function until(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 100,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Waits until a worker process has registered on the queue. */
export async function workerReady(queue: GenerationQueue, child: Child, count = 1): Promise<void> {
  await until(
    'the worker to connect',
    async () => {
      if (child.process.exitCode !== null) throw new Error(`worker exited:\n${child.output()}`);
      return (await queue.getWorkers()).length >= count;
    },
    60_000,
  );
}

/** Waits until `total` jobs finished (completed + failed); answers the counts. Fails when a child exits. */
export async function allFinished(
  queue: Pick<GenerationQueue, 'getJobCounts'>,
  total: number,
  timeoutMs: number,
  children?: Child | readonly Child[],
  everyMs = 50,
): Promise<{ completed: number; failed: number }> {
  let counts = { completed: 0, failed: 0 };
  const watched = children === undefined ? [] : 'pid' in children ? [children] : children;
  await until(
    `${total} jobs to finish`,
    async () => {
      const exited = watched.find((c) => c.process.exitCode !== null);
      if (exited) throw new Error(`worker exited:\n${exited.output()}`);
      const c = await queue.getJobCounts('completed', 'failed');
      counts = { completed: c.completed ?? 0, failed: c.failed ?? 0 };
      return counts.completed + counts.failed >= total;
    },
    timeoutMs,
    everyMs,
  );
  return counts;
}

/** Calls per command from the text of `INFO commandstats` (scripts count once, as `evalsha`). */
export function commandStats(info: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    counts.set(match[1] ?? '', Number(match[2]));
  }
  return counts;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

/**
 * Environment of a worker child: the run's Redis (a URL, or a cluster's REDIS_CLUSTER_NODES and
 * REDIS_PASSWORD), prefix and simulator, quiet logs.
 */
export function workerEnv(
  redis: string | Record<string, string>,
  prefix: string,
  simUrl: string,
  extra: Record<string, string> = {},
) {
  return {
    ...(typeof redis === 'string' ? { REDIS_URL: redis } : redis),
    QUEUE_PREFIX: prefix,
    AIMLAPI_KEY: PROVIDER_KEY,
    AIMLAPI_BASE_URL: simUrl,
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

/**
 * Zero generation time (overhead, scale): generations of 5 ms, checked after 10 ms. The create answer
 * says `queued` (at 0 ms it would already say `completed` and the worker would skip the status check),
 * the first check finds it done.
 */
export const ZERO_TIME = { generationMs: 5, checkDelayMs: 10 } as const;

/** A worker's fixed schedule with its first check at once (ZERO_TIME), at `concurrency`. */
export function atOnceSchedule(concurrency: number): Record<string, string> {
  return {
    WORKER_CONCURRENCY: String(concurrency),
    STATUS_SCHEDULE: 'fixed',
    STATUS_FIRST_CHECK_MS: String(ZERO_TIME.checkDelayMs),
    STATUS_INTERVAL_MS: '100',
    CHECK_DELAY_MS: String(ZERO_TIME.checkDelayMs),
  };
}

/** The worker's production entry point, through its package (`@vidqueue/worker/main`), not a path into it. */
export const WORKER_SCRIPT = createRequire(import.meta.url).resolve('@vidqueue/worker/main');
export const REFERENCE_SCRIPT = fileURLToPath(new URL('./reference-worker.ts', import.meta.url));

/**
 * Runs `count` generations through the queue and removes them: the adaptive schedule learns the
 * model's time from completions (shared in Redis), as a worker that has been running would have.
 */
export async function warmUp(queue: GenerationQueue, child: Child, count: number): Promise<void> {
  await enqueue(queue, count, 'warm-up');
  await allFinished(queue, count, 10 * 60_000, child, 200);
  await queue.clean(0, 0, 'completed');
  await queue.clean(0, 0, 'failed');
}
