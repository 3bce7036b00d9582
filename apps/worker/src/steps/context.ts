import type { Redis } from 'ioredis';
import type { AimlApiClient } from '@vidqueue/aimlapi';
import { vidqKeys } from '@vidqueue/core/contract';
import type { Config, Logger } from '@vidqueue/core/runtime';
import { createAccountPause, type AccountPause } from '../account-pause.js';
import type { Budgets } from '../budgets.js';
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
  > &
  // Only used to scrub the key out of provider messages, should one ever echo it.
  Partial<Pick<Config, 'AIMLAPI_KEY'>>;

export type ProcessorDeps = {
  config: ProcessorConfig;
  client: AimlApiClient;
  /** For our own keys (cancel flags, the account pause); the worker's connection is fine. */
  redis: Redis;
  logger: Logger;
  /** Expected generation time, to place the first status check; STATUS_FIRST_CHECK_MS when absent. */
  expectedDurationMs?: (model: string, duration: number | undefined) => number | undefined;
  now?: () => number;
  random?: Random;
  /** Observers of each job's lifecycle (batch rows, metrics...). */
  hooks?: ProcessorHooks;
  /** Shared provider call budgets (rates, in-flight cap, 429 back-off); none when absent. */
  budgets?: Budgets;
  /** When status checks run; default: the fixed schedule (with `expectedDurationMs`). */
  checkSchedule?: CheckSchedule;
};

/**
 * What every step of every run works with besides the run itself: the processor's deps with their
 * defaults filled in, made once per processor (so a run allocates nothing of it).
 */
export type StepContext = {
  readonly config: ProcessorConfig;
  readonly client: AimlApiClient;
  readonly redis: Redis;
  readonly logger: Logger;
  readonly keys: ReturnType<typeof vidqKeys>;
  readonly pause: AccountPause;
  readonly schedule: CheckSchedule;
  readonly budgets: Budgets | undefined;
  readonly hooks: ProcessorHooks | undefined;
  readonly now: () => number;
  readonly random: Random;
  /** Whether the logger writes at `level`: the hot path skips building its child logger otherwise. */
  logs(level: 'debug' | 'info'): boolean;
  /** `text` with the provider key replaced, should a provider message ever echo it. */
  scrub(text: string): string;
};

export function createStepContext(deps: ProcessorDeps): StepContext {
  const { config, logger } = deps;
  const random = deps.random ?? Math.random;
  return {
    config,
    client: deps.client,
    redis: deps.redis,
    logger,
    keys: vidqKeys(config.QUEUE_PREFIX),
    pause: createAccountPause(deps.redis, config.QUEUE_PREFIX, config.ACCOUNT_PAUSE_MS),
    schedule: deps.checkSchedule ?? fixedCheckSchedule(config, deps.expectedDurationMs, random),
    budgets: deps.budgets,
    hooks: deps.hooks,
    now: deps.now ?? Date.now,
    random,
    logs: (level) => logger.isLevelEnabled(level),
    scrub: (text) => (config.AIMLAPI_KEY ? text.split(config.AIMLAPI_KEY).join('[redacted]') : text),
  };
}
