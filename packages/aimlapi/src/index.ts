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
  describeModel,
  listModels,
  type ModelDescription,
  type ParameterDescription,
} from './models.js';
export { CatalogueError, createCatalogue, shippedCatalogue, type Catalogue } from './catalogue/catalogue.js';
export {
  buildCatalogue,
  buildModel,
  type Overlay,
  type OverlayField,
  type OverlayModel,
  type ProviderModel,
} from './catalogue/build.js';
export { MAX_CATALOGUE_FILE_BYTES, readCatalogueFile, writeCatalogueFile } from './catalogue/file.js';
export {
  CatalogueFetchError,
  fetchProviderCatalogue,
  type CatalogueFetchErrorKind,
  type RefreshOptions,
  type RefreshReport,
} from './catalogue/refresh.js';
export { effectiveParams, type EffectiveRequest } from './catalogue/effective.js';
export { readValue, ruleOf, type ValueMode, type ValueProblem } from './catalogue/field-value.js';
export { CatalogueDataSchema } from './catalogue/file-schema.js';
export {
  GUESS_SECONDS_PER_VIDEO_SECOND,
  GUESS_VIDEO_SECONDS,
  expectedSeconds,
  timingKey,
  type ExpectedTime,
  type TimingKey,
} from './catalogue/timing.js';
export type {
  BooleanField,
  CatalogueData,
  CatalogueModel,
  CatalogueSource,
  ExcludedModel,
  FieldSpec,
  FieldType,
  IntegerField,
  NumberField,
  ParamValue,
  StringField,
} from './catalogue/types.js';
export {
  FAILURE_STATUSES,
  PENDING_STATUSES,
  SUCCESS_STATUSES,
  generationErrorMessage,
  isKnownStatus,
  normalizeGeneration,
  phaseOf,
} from './normalize.js';
export { LOGS_PATH, MAX_LOGS_LIMIT, MAX_LOGS_MODELS, logsSearchParams, parseLogsPage } from './usage-logs.js';
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
