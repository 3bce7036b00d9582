export { buildSimulator, type BuildSimulatorOptions } from './app.js';
export { CATALOGUE, VIDEO_TYPE, type CatalogueModel } from './catalogue.js';
export {
  CREATED_THEN_FAULTS,
  DEFAULT_SETTINGS,
  FAULT_NAMES,
  NO_FAULTS,
  parseMsRange,
  resolveSettings,
  type CostOn,
  type CreatedThenFault,
  type ErrorStyle,
  type FaultName,
  type FaultRates,
  type IdStyle,
  type LogsRowAt,
  type MsRange,
  type SimulatorOptions,
  type SimulatorSettings,
} from './config.js';
export {
  SimulatorConfigError,
  SimulatorEnvSchema,
  loadSimulatorConfig,
  type SimulatorConfig,
} from './env.js';
export { OUT_OF_CREDITS, modelForbidden } from './faults.js';
export { SimulatorOptionsSchema } from './options-schema.js';
export { seededRandom } from './random.js';
export { CREDITS_PER_USD, chargeFor, pricingOf, quoteUsd, type Charge, type Pricing } from './prices.js';
export { startSimulator, type RunningSimulator, type StartSimulatorOptions } from './start.js';
export { LOGS_RATE_LIMIT, type ResetOptions, type SimulatorControl } from './state.js';
export type { PromptStats, SimStats } from './stats.js';
export { UNKNOWN_STATUSES } from './statuses.js';
export type { LogPage, LogRow } from './usage-logs.js';
export { VIDEO_MODELS, findVideoModel, type VideoModel } from './video-models.js';
