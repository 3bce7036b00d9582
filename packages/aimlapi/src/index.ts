export { normalizeBaseUrl } from './base-url.js';
export { isModelNotAllowed } from './classify.js';
export { BALANCE_PATH, parseBalance, type Balance } from './balance.js';
export {
  MODELS_PATH,
  PRICING_QUERY,
  indexPricedCatalogue,
  parsePricedCatalogue,
  type PricedCatalogueAnswer,
  type PricedModel,
  type PricedCatalogueRequest,
} from './priced-catalogue.js';
export {
  CLIENT_REQUEST_ID,
  createAimlApiClient,
  DEFAULT_BASE_URL,
  DEFAULT_TIMEOUT_MS,
  fetchPricedCatalogue,
} from './client.js';
export {
  AccountError,
  AimlApiError,
  ModelNotAllowedError,
  PermanentError,
  TransientError,
  UnknownOutcomeError,
  isAbortError,
  isAimlApiError,
  type AimlApiErrorDetails,
} from './errors.js';
export { MAX_HTML_TEXT, htmlErrorText, parseErrorBody, type ProviderErrorBody } from './error-body.js';
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
  FAILURE_STATUSES,
  PENDING_STATUSES,
  SUCCESS_STATUSES,
  generationErrorMessage,
  isKnownStatus,
  normalizeGeneration,
  phaseOf,
} from './normalize.js';
export { LOGS_PATH, MAX_LOGS_LIMIT, logsSearchParams, parseLogsPage } from './usage-logs.js';
export {
  PER_SECOND_UNIT,
  parsePricing,
  quote,
  roundUsd,
  type PriceUnit,
  type PriceVariant,
  type Pricing,
} from './pricing.js';
export { parseRetryAfter } from './retry-after.js';
export {
  validateGenerationParams,
  type ValidateOptions,
  type ValidationIssue,
  type ValidationResult,
} from './validate.js';
export type * from './types.js';
