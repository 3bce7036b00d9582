import type { AimlApiClient } from '@vidqueue/aimlapi';
import { vidqKeys, type GenerationInput } from '@vidqueue/core/contract';
import { reconcileHorizonMs, type Config, type Logger, type RedisConnection } from '@vidqueue/core/runtime';
import { createAccountPause, type AccountPause } from '../account-pause.js';
import { LOGS_SEEN_BUCKET_MS, createLogsSeen, type LogsSeen } from '../logs-seen.js';
import { createModelBlock, type ModelBlock } from '../model-block.js';
import type { Budgets } from '../budgets.js';
import type { SpendCaps } from '../spend-caps.js';
import type { ProcessorHooks } from '../hooks.js';
import { fixedCheckSchedule, type CheckSchedule, type Random, type ScheduleConfig } from '../schedule.js';

export type ProcessorConfig = ScheduleConfig &
  Pick<
    Config,
    | 'QUEUE_PREFIX'
    | 'GENERATION_DEADLINE_MS'
    | 'SUBMIT_MAX_RETRIES'
    | 'ACCOUNT_PAUSE_MS'
    | 'UNKNOWN_OUTCOME_POLICY'
    | 'RECONCILE_HORIZON_MS'
    | 'RECONCILE_NOT_FOUND'
    | 'STATUS_NOT_FOUND_GRACE_MS'
    | 'MODEL_BLOCK_MS'
    | 'AIMLAPI_TIMEOUT_MS'
  > &
  // Only used to scrub the key out of provider messages, should one ever echo it.
  Partial<Pick<Config, 'AIMLAPI_KEY'>> &
  // Unset: no replica wait before a create.
  Partial<Pick<Config, 'REDIS_WAIT_REPLICAS' | 'REDIS_WAIT_TIMEOUT_MS'>> &
  // Unset: `events` (routine progress is not written to the job's log).
  Partial<Pick<Config, 'JOB_LOG'>>;

export type ProcessorDeps = {
  config: ProcessorConfig;
  client: AimlApiClient;
  /** For our own keys (cancel flags, the account pause); the worker's connection is fine. */
  redis: RedisConnection;
  logger: Logger;
  /** Expected generation time of a job, to place the first status check; STATUS_FIRST_CHECK_MS when absent. */
  expectedMs?: (input: GenerationInput) => number | undefined;
  now?: () => number;
  random?: Random;
  /** Observers of each job's lifecycle (batch rows, metrics...). */
  hooks?: ProcessorHooks;
  /** Shared provider call budgets (rates, in-flight cap, 429 back-off); none when absent. */
  budgets?: Budgets;
  /** Spending caps (batch, video, daily): a reservation before each create; none when absent. */
  spend?: SpendCaps;
  /** When status checks run; default: the fixed schedule (with `expectedMs`). */
  checkSchedule?: CheckSchedule;
  /**
   * Every name a usage-log row of a request for `model` may carry (the name sent, the catalogue's id and
   * aliases: a renamed model's rows may carry its new id); default: the name sent alone. See `model-names.ts`.
   */
  modelNames?: (model: string) => Promise<readonly string[]>;
};

/**
 * What every step of every run works with besides the run itself: the processor's deps with their
 * defaults filled in, made once per processor (so a run allocates nothing of it).
 */
export type StepContext = {
  readonly config: ProcessorConfig;
  readonly client: AimlApiClient;
  readonly redis: RedisConnection;
  readonly logger: Logger;
  readonly keys: ReturnType<typeof vidqKeys>;
  readonly pause: AccountPause;
  readonly modelBlock: ModelBlock;
  /** Usage-log rows any worker has read (unknown-outcome lookups). */
  readonly logsSeen: LogsSeen;
  /** The names a usage-log row of a request for this model may carry (the lookups' `model` filter). */
  readonly modelNames: (model: string) => Promise<readonly string[]>;
  /** How long an attempt's usage-log row may take to appear (`reconcileHorizonMs`). */
  readonly horizonMs: number;
  readonly schedule: CheckSchedule;
  readonly budgets: Budgets | undefined;
  readonly spend: SpendCaps | undefined;
  readonly hooks: ProcessorHooks | undefined;
  readonly now: () => number;
  readonly random: Random;
  /** `JOB_LOG=all`: routine progress (`submitted`, `check <n>: <status>`) goes to each job's log too. */
  readonly logsRoutine: boolean;
  /** Whether the logger writes at `level`: the hot path skips building its child logger otherwise. */
  logs(level: 'debug' | 'info'): boolean;
  /** `text` with the provider key replaced, should a provider message ever echo it. */
  scrub(text: string): string;
  /**
   * True the first time this process meets a status spelling it does not know (then it is logged at
   * warn once, not on every check of thousands of jobs); the job's data has its last status (and with
   * `JOB_LOG=all` its log has every check's).
   */
  firstSighting(status: string): boolean;
};

/** Distinct unknown status spellings remembered per process (beyond it, each is logged every time). */
const MAX_UNKNOWN_STATUSES = 100;

export function createStepContext(deps: ProcessorDeps): StepContext {
  const { config, logger } = deps;
  const random = deps.random ?? Math.random;
  const horizonMs = reconcileHorizonMs(config);
  const sighted = new Set<string>();
  return {
    config,
    client: deps.client,
    redis: deps.redis,
    logger,
    keys: vidqKeys(config.QUEUE_PREFIX),
    pause: createAccountPause(deps.redis, config.QUEUE_PREFIX, config.ACCOUNT_PAUSE_MS),
    modelBlock: createModelBlock(deps.redis, config.QUEUE_PREFIX, config.MODEL_BLOCK_MS),
    // Rows are needed while a lookup can run: up to twice the horizon after the attempt.
    logsSeen: createLogsSeen(deps.redis, config.QUEUE_PREFIX, 2 * horizonMs + LOGS_SEEN_BUCKET_MS),
    modelNames: deps.modelNames ?? ((model) => Promise.resolve([model])),
    horizonMs,
    schedule: deps.checkSchedule ?? fixedCheckSchedule(config, deps.expectedMs, random),
    budgets: deps.budgets,
    spend: deps.spend,
    hooks: deps.hooks,
    now: deps.now ?? Date.now,
    random,
    logsRoutine: config.JOB_LOG === 'all',
    logs: (level) => logger.isLevelEnabled(level),
    scrub: (text) => (config.AIMLAPI_KEY ? text.split(config.AIMLAPI_KEY).join('[redacted]') : text),
    firstSighting(status) {
      if (sighted.has(status)) return false;
      if (sighted.size < MAX_UNKNOWN_STATUSES) sighted.add(status);
      return true;
    },
  };
}
