export { createBatchHooks, reportFinalFailures, type BatchHooksDeps } from './batch-hooks.js';
export { createAccountPause, type AccountPause, type AccountPauseState } from './account-pause.js';
export {
  createBudgets,
  type BudgetReason,
  type Budgets,
  type BudgetsConfig,
  type BudgetWait,
  type CreateBudgetsOptions,
  type ProviderCallKind,
} from './budgets.js';
export {
  DURATION_CACHE_MS,
  DURATION_SAMPLES,
  MIN_DURATION_SAMPLES,
  createDurationStats,
  durationStatsHooks,
  type DurationEstimate,
  type DurationStats,
  type DurationStatsOptions,
} from './duration-stats.js';
export { composeHooks, type HookFailure, type ProcessorHooks } from './hooks.js';
export {
  BATCH_CAP_RECHECK_MS,
  PRICE_RECHECK_MIN_MS,
  createSpendCaps,
  type SpendCaps,
  type SpendCapsConfig,
  type SpendDecision,
} from './spend-caps.js';
export { JobFailure } from './job-failure.js';
export { instrumentClient, metricsHooks } from './metrics-hooks.js';
export {
  createProcessor,
  type GenerationProcessor,
  type ProcessorConfig,
  type ProcessorDeps,
} from './processor.js';
/** Re-exported for the worker's users; defined in `@vidqueue/core/contract`. */
export type { GenerationJob } from '@vidqueue/core/contract';
export {
  ADAPTIVE_FIRST_FRACTION,
  ADAPTIVE_GAP_FRACTION,
  ADAPTIVE_JITTER,
  ADAPTIVE_OUTLIER_FACTOR,
  CHECK_JITTER,
  MAX_RETRY_AFTER_MS,
  adaptiveCheckSchedule,
  adaptiveFirstCheckDelay,
  adaptiveNextCheckDelay,
  firstCheckDelay,
  fixedCheckSchedule,
  inputTimingKey,
  jitter,
  nextCheckDelay,
  retryDelay,
  type AdaptiveScheduleConfig,
  type CheckSchedule,
  type Random,
  type ScheduleConfig,
} from './schedule.js';
export {
  MAX_STALLED_COUNT,
  METRICS_FLUSH_MS,
  startWorker,
  type GenerationWorker,
  type RunningWorker,
  type StartWorkerDeps,
} from './start-worker.js';
export { catalogueSeed, timingKeys } from './timing-keys.js';
