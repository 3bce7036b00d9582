import { createRedis, loadConfig, type RedisConnection } from '@vidqueue/core/runtime';
import { createGenerationQueues, type GenerationQueues } from '@vidqueue/core/store';
import { startChaosRedis } from './chaos-redis.js';
import { startSimulator, type RunningSimulator } from '@vidqueue/simulator';
import { API_MAIN, WORKER_CHILD } from './entry-points.js';
import type { ChaosOptions } from './options.js';
import { spawnChild, type ChildHandle } from './processes.js';

/** The credentials the run hands its processes, then searches for in every log line and Redis value. */
export type ChaosSecrets = { AIMLAPI_KEY: string; API_TOKENS: string; DASHBOARD_PASSWORD: string };

export type ChaosStack = {
  /** The queue prefix (`chaos`, or `{chaos}` on a cluster). */
  prefix: string;
  sim: RunningSimulator;
  apiUrl: string;
  /** The worker processes by slot; a killed one is replaced in its slot. */
  workers: ChildHandle[];
  /** Starts one more worker process (not waiting for it to be ready). */
  spawnWorker(): ChildHandle;
  /**
   * One Redis: stops it (SIGTERM, so the append-only file is flushed), waits `downMs`, starts it again.
   * A cluster (`--cluster`): a failover of the master serving the queue. Answers what it did.
   */
  restartRedis(downMs: number): Promise<string>;
  /** The harness's own view of the queue, for counts, jobs and the key dump. */
  queue: GenerationQueues;
  connection: RedisConnection;
};

export type StartChaosStackDeps = {
  options: ChaosOptions;
  secrets: ChaosSecrets;
  /** Folder for Redis's data (append-only files). */
  dir: string;
  /** Every output line of every child process. */
  onLine: (name: string, line: string) => void;
  /** Each piece pushes its stop here as soon as it runs, so a failure halfway leaves nothing behind. */
  cleanups: (() => Promise<void>)[];
  say: (line: string) => void;
};

/**
 * A private append-only Redis (or a cluster of 3 masters with a replica each, `options.cluster`), the simulator with the scenario's faults, the API as a real process and
 * `options.workers` worker processes, all on `QUEUE_PREFIX`, each ready before this resolves.
 */
export async function startChaosStack(deps: StartChaosStackDeps): Promise<ChaosStack> {
  const { options, secrets, onLine, cleanups, say } = deps;
  const redis = await startChaosRedis(deps.dir, options.cluster);
  cleanups.push(() => redis.stop());
  const [genMin = 2_000] = options.generationMs.split('-').map(Number);
  const sim = await startSimulator({
    apiKeys: [secrets.AIMLAPI_KEY],
    generationMs: options.generationMs,
    faults: {
      server_error: options.faults.serverError,
      rate_limit: options.faults.rateLimit,
      drop: options.faults.drop,
    },
    createFaults: { fail: options.faults.fail, created_then_502: options.faults.createdThen502 },
    logsDelayMs: options.logsDelayMs,
    retryAfterSeconds: 1,
    ...(options.seed !== undefined && { seed: options.seed }),
  });
  cleanups.push(() => sim.close());
  say(`${redis.describe}; simulator ${sim.url}`);

  const env: Record<string, string> = {
    ...redis.env,
    QUEUE_SHARDS: String(options.shards),
    LOG_LEVEL: 'info',
    AIMLAPI_KEY: secrets.AIMLAPI_KEY,
    AIMLAPI_BASE_URL: sim.url,
    AIMLAPI_TIMEOUT_MS: '5000',
    STATUS_FIRST_CHECK_MS: String(genMin),
    STATUS_INTERVAL_MS: String(Math.max(200, Math.round(genMin / 2))),
    RETRY_BASE_MS: '200',
    RETRY_MAX_MS: '2000',
    GENERATION_DEADLINE_MS: '120000',
    WORKER_CONCURRENCY: '50',
    UNKNOWN_OUTCOME_POLICY: options.policy,
    // The usage logs lag by logsDelayMs here: give them five times that (at least 10 s) to show a row.
    RECONCILE_HORIZON_MS: String(Math.max(10_000, 5 * options.logsDelayMs)),
    // A 502/504 refusal's failed row names no generation: its id answers 404 until this has passed.
    STATUS_NOT_FOUND_GRACE_MS: '5000',
  };
  const api = spawnChild(
    'api',
    API_MAIN,
    { ...env, PORT: '0', API_TOKENS: secrets.API_TOKENS, DASHBOARD_PASSWORD: secrets.DASHBOARD_PASSWORD },
    onLine,
  );
  cleanups.push(() => api.stop(5_000));
  const apiUrl = String((await api.waitFor('api ready', 60_000)).url);

  let workerCount = 0;
  const spawnWorker = () => spawnChild(`worker-${++workerCount}`, WORKER_CHILD, env, onLine);
  const workers = await Promise.all(
    Array.from({ length: options.workers }, async () => {
      const child = spawnWorker();
      await child.waitFor('worker ready', 60_000);
      return child;
    }),
  );
  cleanups.push(async () => {
    await Promise.all(workers.map((w) => w.stop(10_000)));
  });

  const connection = createRedis(loadConfig(redis.env), 'worker');
  connection.on('error', () => undefined);
  const queue = createGenerationQueues(connection, {
    QUEUE_PREFIX: redis.prefix,
    QUEUE_SHARDS: options.shards,
  });
  queue.on('error', () => undefined);
  cleanups.push(async () => {
    await queue.close();
    connection.disconnect();
  });

  return {
    prefix: redis.prefix,
    sim,
    apiUrl,
    workers,
    spawnWorker,
    restartRedis: (downMs) => redis.disrupt(downMs),
    queue,
    connection,
  };
}
