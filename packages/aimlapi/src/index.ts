export { normalizeBaseUrl } from './base-url.js';
export { createAimlApiClient, DEFAULT_BASE_URL, DEFAULT_TIMEOUT_MS } from './client.js';
export {
  AccountError,
  AimlApiError,
  PermanentError,
  TransientError,
  UnknownOutcomeError,
  isAbortError,
  isAimlApiError,
  type AimlApiErrorDetails,
} from './errors.js';
export { parseErrorBody, type ProviderErrorBody } from './error-body.js';
export {
  DEFAULT_MODEL_ID,
  MODELS,
  SUPPORTED_MODEL_IDS,
  expectedDurationMs,
  getModel,
  listModels,
  type EnumParam,
  type IntegerParam,
  type ModelDescription,
  type ModelSpec,
  type ParamSpec,
  type ParameterDescription,
  type StringParam,
} from './models.js';
export {
  PENDING_STATUSES,
  SUCCESS_STATUSES,
  generationErrorMessage,
  normalizeGeneration,
  phaseOf,
} from './normalize.js';
export { parseRetryAfter } from './retry-after.js';
export {
  validateGenerationParams,
  type ValidateOptions,
  type ValidationIssue,
  type ValidationResult,
} from './validate.js';
export type * from './types.js';
