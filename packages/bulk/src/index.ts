export { inChunks } from './chunk.js';
export {
  BULK_FATAL_STATUS,
  BulkFatalCode,
  BulkFatalError,
  isBulkFatalError,
  type BulkFatal,
} from './fatal.js';
export { formatFatal, formatRowError } from './format.js';
export { iterateBulkRows } from './iterate-bulk-rows.js';
export { DEFAULT_BULK_LIMITS, resolveLimits, type BulkLimits } from './limits.js';
export { readBulkRows, type BulkEvent } from './read-bulk-rows.js';
export { LEGACY_PARAM_NAMES, RESERVED_FIELDS, type ReservedField } from './row-builder.js';
export { codePointLength, unpairedSurrogate } from './text.js';
export type * from './types.js';
export {
  DEFAULT_MAX_ERRORS,
  validateBulkFile,
  type BulkValidation,
  type ValidateBulkOptions,
} from './validate-bulk-file.js';
