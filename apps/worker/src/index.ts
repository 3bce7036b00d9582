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
export { composeHooks } from './hooks.js';
export {
  createProcessor,
  type GenerationJob,
  type GenerationProcessor,
  type ProcessorConfig,
  type ProcessorDeps,
  type ProcessorHooks,
} from './processor.js';
export {
  CHECK_JITTER,
  MAX_RETRY_AFTER_MS,
  firstCheckDelay,
  jitter,
  nextCheckDelay,
  retryDelay,
  type Random,
  type ScheduleConfig,
} from './schedule.js';
export {
  startWorker,
  type GenerationWorker,
  type RunningWorker,
  type StartWorkerDeps,
} from './start-worker.js';
