import { parseArgs } from 'node:util';

/** One chaos scenario. `pnpm chaos --help` lists the flags. */
export type ChaosOptions = {
  prompts: number;
  /** Worker processes running at once (each killed and restarted in turn). */
  workers: number;
  /** Worker SIGKILLs (each followed by a restart). */
  kills: number;
  /** Redis restarts (SIGTERM, a pause, then the same port and data folder). */
  redisRestarts: number;
  /** Simultaneous POST /v1/videos requests. */
  concurrency: number;
  /** Generation time at the simulator, `MIN-MAX` ms. */
  generationMs: string;
  /** How long Redis stays down on each restart. */
  redisDownMs: number;
  /** Give up waiting for terminal states after this long (the run then reports the rest as lost). */
  timeoutMs: number;
  /** Where the figures go as JSON. */
  json: string;
  /** Seed for the simulator's dice. */
  seed: number | undefined;
  /** UNKNOWN_OUTCOME_POLICY of the workers. */
  policy: Policy;
  /**
   * Rates at the simulator. `drop` (both sides) destroys the socket: on a create, after the generation
   * was made (created then dropped); `createdThen502`: creates answered 502 after the generation was made.
   */
  faults: { serverError: number; rateLimit: number; drop: number; fail: number; createdThen502: number };
  /** How late a usage-log row becomes visible (SIM_LOGS_DELAY_MS): the reconcile step must wait for it. */
  logsDelayMs: number;
  /** A Redis Cluster (3 masters, a replica each) instead of one Redis; each Redis restart is then a failover. */
  cluster: boolean;
  /** QUEUE_SHARDS of the API and workers (with --cluster: one shard per master up to 3). */
  shards: number;
};

export const POLICIES = ['reconcile', 'fail', 'resubmit'] as const;
export type Policy = (typeof POLICIES)[number];

export const DEFAULT_JSON = 'apps/chaos/results/latest.json';

export const DEFAULTS: ChaosOptions = {
  prompts: 1_000,
  workers: 2,
  kills: 10,
  redisRestarts: 1,
  concurrency: 16,
  generationMs: '2000-10000',
  redisDownMs: 1_500,
  timeoutMs: 240_000,
  json: DEFAULT_JSON,
  seed: undefined,
  policy: 'reconcile',
  faults: { serverError: 0.1, rateLimit: 0.05, drop: 0.02, fail: 0.02, createdThen502: 0.02 },
  logsDelayMs: 2_000,
  cluster: false,
  shards: 1,
};

/** The short scenario CI runs: 200 prompts, 3 kills, 1 Redis restart, sub-second generations. */
export const QUICK: Partial<ChaosOptions> = {
  prompts: 200,
  kills: 3,
  redisRestarts: 1,
  generationMs: '300-1500',
  redisDownMs: 1_000,
  timeoutMs: 75_000,
  logsDelayMs: 1_000,
};

export const USAGE = `pnpm chaos [flags]
  --prompts N          prompts to submit through the API (default ${DEFAULTS.prompts})
  --workers W          worker processes (default ${DEFAULTS.workers}, at least 2)
  --kills K            worker SIGKILLs, each followed by a restart (default ${DEFAULTS.kills})
  --redis-restarts R   Redis restarts mid-run (default ${DEFAULTS.redisRestarts})
  --concurrency C      simultaneous POST /v1/videos (default ${DEFAULTS.concurrency})
  --generation-ms A-B  simulated generation time (default ${DEFAULTS.generationMs})
  --timeout-s S        longest wait for every prompt to end (default ${DEFAULTS.timeoutMs / 1000})
  --seed N             simulator seed (faults and timings repeat)
  --policy P           workers' UNKNOWN_OUTCOME_POLICY: reconcile (default), fail or resubmit
  --logs-delay-ms N    how late a usage-log row appears at the simulator (default ${DEFAULTS.logsDelayMs}; --quick ${QUICK.logsDelayMs})
  --cluster            run on a Redis Cluster (3 masters, a replica each, REDIS_WAIT_REPLICAS=1); each Redis
                       restart becomes a failover: the queue's master SIGKILLed, its replica promoted
  --shards N           QUEUE_SHARDS of the API and workers (default 1); with --cluster, 3 puts a shard on
                       each master, and the failover then hits one shard's master
  --json FILE          figures as JSON (default ${DEFAULT_JSON})
  --quick              the short CI scenario: 200 prompts, 3 kills, 1 Redis restart, fast generations
  --help`;

export class UsageError extends Error {
  override name = 'UsageError';
}

function int(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}`);
  return n;
}

function range(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+(-\d+)?$/.test(value)) throw new UsageError(`--${name} must be N or MIN-MAX (ms)`);
  return value;
}

/** Parses the command line; returns null for --help. */
export function parseChaosArgs(argv: string[]): ChaosOptions | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      prompts: { type: 'string' },
      workers: { type: 'string' },
      kills: { type: 'string' },
      'redis-restarts': { type: 'string' },
      concurrency: { type: 'string' },
      'generation-ms': { type: 'string' },
      'timeout-s': { type: 'string' },
      seed: { type: 'string' },
      policy: { type: 'string' },
      'logs-delay-ms': { type: 'string' },
      json: { type: 'string' },
      quick: { type: 'boolean', default: false },
      cluster: { type: 'boolean', default: false },
      shards: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return null;
  const base: ChaosOptions = { ...DEFAULTS, ...(values.quick ? QUICK : {}) };
  const timeoutS = int('timeout-s', values['timeout-s'], 1);
  const policy = (values.policy ?? base.policy) as Policy;
  if (!POLICIES.includes(policy)) throw new UsageError(`--policy must be ${POLICIES.join(', ')}`);
  return {
    ...base,
    prompts: int('prompts', values.prompts, 1) ?? base.prompts,
    workers: int('workers', values.workers, 2) ?? base.workers,
    kills: int('kills', values.kills, 0) ?? base.kills,
    redisRestarts: int('redis-restarts', values['redis-restarts'], 0) ?? base.redisRestarts,
    concurrency: int('concurrency', values.concurrency, 1) ?? base.concurrency,
    generationMs: range('generation-ms', values['generation-ms']) ?? base.generationMs,
    timeoutMs: timeoutS === undefined ? base.timeoutMs : timeoutS * 1000,
    seed: int('seed', values.seed, 0) ?? base.seed,
    json: values.json ?? base.json,
    policy,
    logsDelayMs: int('logs-delay-ms', values['logs-delay-ms'], 0) ?? base.logsDelayMs,
    cluster: values.cluster,
    shards: int('shards', values.shards, 1) ?? base.shards,
  };
}
