export {
  buildProgram,
  DEFAULT_API_URL,
  defaultResultsPath,
  ExitCode,
  printError,
  runCli,
  type CliIo,
} from './program.js';
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
