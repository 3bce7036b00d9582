export { buildSimulator, type BuildSimulatorOptions } from './app.js';
export {
  DEFAULT_SETTINGS,
  FAULT_NAMES,
  NO_FAULTS,
  SimulatorConfigError,
  SimulatorEnvSchema,
  SimulatorOptionsSchema,
  loadSimulatorConfig,
  parseMsRange,
  resolveSettings,
  type ErrorStyle,
  type FaultName,
  type FaultRates,
  type IdStyle,
  type MsRange,
  type SimulatorConfig,
  type SimulatorOptions,
  type SimulatorSettings,
} from './config.js';
export { usageFor } from './generations.js';
export { startSimulator, type RunningSimulator, type StartSimulatorOptions } from './start.js';
export type { ResetOptions, SimulatorControl } from './state.js';
export type { PromptStats, SimStats } from './stats.js';
