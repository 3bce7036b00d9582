import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { isAimlApiError } from '@vidqueue/aimlapi';
import { FailureCode, vidqKeys } from '@vidqueue/core/contract';
import { scripts } from '@vidqueue/core/store';
import type { Config, RedisConnection } from '@vidqueue/core/runtime';
import type { ProcessorHooks } from './hooks.js';
import { MAX_RETRY_AFTER_MS, type Random } from './schedule.js';

export type BudgetsConfig = Pick<
  Config,
  | 'QUEUE_PREFIX'
  | 'CREATE_RATE_PER_MIN'
  | 'STATUS_RATE_PER_MIN'
  | 'LOGS_RATE_PER_MIN'
  | 'MAX_IN_FLIGHT'
  | 'GENERATION_DEADLINE_MS'
  | 'AIMLAPI_TIMEOUT_MS'
  | 'RETRY_BASE_MS'
  | 'STATUS_INTERVAL_MS'
>;

/** Why a call may not go out now. */
export type BudgetReason = 'backoff' | 'rate' | 'in_flight';

/** The job must wait this long (jitter included) before trying the call again. */
export type BudgetWait = { reason: BudgetReason; waitMs: number };

export type ProviderCallKind = 'create' | 'status' | 'logs';

/**
 * The PTTL of the call kind's back-off key (`vidqKeys(prefix).backoff(kind)`), when the caller has
 * just read it (in one pipeline with its other per-run reads); the budget then skips its own read.
 */
export type KnownBackoff = { backoffPttl: number };

export type Budgets = {
  /**
   * Whether a create needs `beforeCreate`'s decision (a create rate or an in-flight cap is set). When
   * false only the back-off applies, and a caller that read its PTTL may skip `beforeCreate`.
   */
  readonly createsGated: boolean;
  /**
   * Before a create call: null when it may go out now (an in-flight slot is then held for the job),
   * otherwise how long the job should be delayed.
   */
  beforeCreate(jobId: string, known?: KnownBackoff): Promise<BudgetWait | null>;
  /** Before a status call: null when it may go out now, otherwise how long to delay the job. */
  beforeCheck(known?: KnownBackoff): Promise<BudgetWait | null>;
  /** A create call failed: frees the slot when nothing was created; a 429 slows every worker down. */
  createFailed(jobId: string, err: unknown): Promise<void>;
  /** A status call failed: a 429 slows every worker's status calls down. */
  checkFailed(err: unknown): Promise<void>;
  /** Before a usage-log call (`GET /v2/logs`): null when it may go out now, otherwise how long to delay the job. */
  beforeLogs(known?: KnownBackoff): Promise<BudgetWait | null>;
  /** A usage-log call failed: a 429 slows every worker's usage-log calls down. */
  logsFailed(err: unknown): Promise<void>;
  /** Keep the in-flight set true: refreshed on submit, released when the job settles. */
  hooks: ProcessorHooks;
  /** Generations currently counted in flight (expired entries dropped first). */
  inFlight(): Promise<number>;
};

export type CreateBudgetsOptions = {
  config: BudgetsConfig;
  /** Any connection; the worker's own (no retry limit, offline queue) is fine. */
  redis: RedisConnection;
  now?: () => number;
  random?: Random;
};

/**
 * Provider call budgets shared by every worker process through Redis:
 * - `CREATE_RATE_PER_MIN` / `STATUS_RATE_PER_MIN` / `LOGS_RATE_PER_MIN`: rate-limiter-flexible's
 *   RateLimiterRedis, a fixed 60 s window per kind of call (0 = unlimited; usage logs 150 by default,
 *   under the provider's 200 requests per 60 s);
 * - `MAX_IN_FLIGHT`: a sorted set of job ids with a generation at the provider, scored by when the entry
 *   expires (after the generation deadline), so a lost release heals itself;
 * - a back-off key per kind of call, set by a provider 429 for its Retry-After (or RETRY_BASE_MS).
 * Nothing here sleeps: callers delay the job by `waitMs` (moveToDelayed + DelayedError).
 */
export function createBudgets(options: CreateBudgetsOptions): Budgets {
  const { config, redis } = options;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const keys = vidqKeys(config.QUEUE_PREFIX);
  const limiter = (points: number) =>
    points > 0
      ? new RateLimiterRedis({ storeClient: redis, keyPrefix: keys.rateLimit, points, duration: 60 })
      : undefined;
  const limiters: Record<ProviderCallKind, RateLimiterRedis | undefined> = {
    create: limiter(config.CREATE_RATE_PER_MIN),
    status: limiter(config.STATUS_RATE_PER_MIN),
    logs: limiter(config.LOGS_RATE_PER_MIN),
  };
  const capped = config.MAX_IN_FLIGHT > 0;
  // An entry outlives the longest a generation can run: the create call, then the deadline.
  const entryLifeMs = config.AIMLAPI_TIMEOUT_MS + config.GENERATION_DEADLINE_MS + 60_000;

  /** `ms` plus up to 25% (at most 2 s) so jobs released together do not all come back at once. */
  const spread = (ms: number): number =>
    Math.max(1, ms) + Math.round(random() * Math.max(20, Math.min(ms * 0.25, 2_000)));

  async function backoff(kind: ProviderCallKind, known?: KnownBackoff): Promise<BudgetWait | null> {
    const pttl = known ? known.backoffPttl : await redis.pttl(keys.backoff(kind));
    return pttl > 0 ? { reason: 'backoff', waitMs: spread(pttl) } : null;
  }

  async function consume(kind: ProviderCallKind): Promise<BudgetWait | null> {
    const rate = limiters[kind];
    if (!rate) return null;
    try {
      await rate.consume(kind);
      return null;
    } catch (err) {
      if (err instanceof RateLimiterRes) return { reason: 'rate', waitMs: spread(err.msBeforeNext) };
      throw err;
    }
  }

  async function release(jobId: string): Promise<void> {
    if (capped) await redis.zrem(keys.inFlight, jobId);
  }

  async function slowDown(kind: ProviderCallKind, err: unknown): Promise<void> {
    if (!isAimlApiError(err) || err.status !== 429) return;
    const ttl = Math.min(err.retryAfterMs ?? config.RETRY_BASE_MS, MAX_RETRY_AFTER_MS);
    await scripts['backoff-extend'].run(redis, [keys.backoff(kind)], [Math.max(1, ttl), `429 on ${kind}`]);
  }

  return {
    createsGated: capped || limiters.create !== undefined,
    async beforeCreate(jobId, known) {
      const waiting = await backoff('create', known);
      if (waiting) return waiting;
      if (capped) {
        const at = now();
        const ok = await scripts['in-flight-reserve'].run(
          redis,
          [keys.inFlight],
          [at, at + entryLifeMs, config.MAX_IN_FLIGHT, jobId],
        );
        // A slot frees when a status check sees a generation finish: look again after one interval.
        if (ok !== 1) return { reason: 'in_flight', waitMs: spread(config.STATUS_INTERVAL_MS) };
      }
      const over = await consume('create');
      if (over) await release(jobId);
      return over;
    },
    async beforeCheck(known) {
      return (await backoff('status', known)) ?? (await consume('status'));
    },
    async createFailed(jobId, err) {
      await slowDown('create', err);
      // Unknown outcome: the generation may exist, so its slot stays (reconciling, or until it expires).
      if (isAimlApiError(err) && err.kind !== 'unknown_outcome') await release(jobId);
    },
    async checkFailed(err) {
      await slowDown('status', err);
    },
    async beforeLogs(known) {
      return (await backoff('logs', known)) ?? (await consume('logs'));
    },
    async logsFailed(err) {
      await slowDown('logs', err);
    },
    hooks: {
      submitted: async (job, info) => {
        if (!capped || job.id === undefined) return;
        await redis.zadd(keys.inFlight, 'XX', info.submittedAt + entryLifeMs, job.id);
      },
      completed: async (job) => {
        if (job.id !== undefined) await release(job.id);
      },
      failed: async (job, failure) => {
        // A job failed as submission_unknown may have a generation running: let its entry expire.
        if (job.id !== undefined && failure.code !== FailureCode.SubmissionUnknown) await release(job.id);
      },
    },
    async inFlight() {
      if (!capped) return 0;
      await redis.zremrangebyscore(keys.inFlight, '-inf', now());
      return redis.zcard(keys.inFlight);
    },
  };
}
