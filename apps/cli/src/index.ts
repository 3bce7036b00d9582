export { ExitCode, type CliIo } from './cli-io.js';
export { printError } from './print-error.js';
export { buildProgram, DEFAULT_API_URL, runCli } from './program.js';
export { defaultResultsPath } from './results.js';
export { defaultIdempotencyKey } from './submit-key.js';
export {
  DEFAULT_MAX_BYTES,
  downloadBatch,
  videoAddressPolicy,
  videoFileName,
  type DownloadEvent,
  type DownloadFailure,
  type DownloadOptions,
  type DownloadSummary,
} from './download.js';
export {
  createProgressReporter,
  formatDuration,
  progressLine,
  progressStats,
  type ProgressReporter,
} from './progress.js';
