/**
 * The public contract of the AI/ML API client. Implementation: client.ts, errors.ts, models.ts.
 */
import type { Balance } from './balance.js';
import type { PricedCatalogueAnswer, PricedCatalogueRequest } from './priced-catalogue.js';
import type { ParamValue } from './catalogue/types.js';

/**
 * The body of a create call, in the provider's own field names: the model, the prompt and any of the
 * model's fields (`aspect_ratio`, `seed`, `generate_audio`, `cfg_scale`...), as `validateGenerationParams`
 * checked them against the catalogue. Sent exactly as given.
 */
export type CreateGenerationParams = {
  model: string;
  prompt: string;
  [field: string]: ParamValue;
};

/** Where a generation stands, normalised from the provider's many status spellings. */
export type GenerationPhase = 'pending' | 'completed' | 'failed';

export type Generation = {
  id: string;
  phase: GenerationPhase;
  /** The provider's own spelling (queued, generating, waiting, active, processing, completed, succeeded, error, ...). */
  status: string;
  /** Set when `status` is a spelling we do not know: `phase` is then 'pending' (see `phaseOf`). */
  unknownStatus?: true;
  /**
   * Set when the provider said the generation completed but gave no video URL: `phase` is then 'failed'
   * (there is nothing to deliver), yet the generation finished and may be billed, unlike a failure the
   * provider reports.
   */
  videoMissing?: true;
  videoUrl?: string;
  contentType?: string;
  fileName?: string;
  fileSize?: number;
  /** The provider's failure message when phase is 'failed'. */
  error?: string;
  creditsUsed?: number;
  usdSpent?: number;
};

export type RequestOptions = {
  signal?: AbortSignal;
  /** Sent as X-Client-Request-Id (1 to 128 chars of [A-Za-z0-9._:-]). */
  clientRequestId?: string;
};

/** An answer's headers as the client reads them (a `Headers` object has this shape too). */
export type HeaderReader = { get(name: string): string | null };

export type AimlApiClientOptions = {
  apiKey: string;
  /** Default https://api.aimlapi.com. */
  baseUrl?: string;
  /** Per-request timeout in ms (default 30 000). */
  timeoutMs?: number;
  /** For tests of the client itself: calls go through this `fetch` instead of undici's `request`. */
  fetch?: typeof fetch;
  userAgent?: string;
};

/** `GET /v2/logs` query: a window (`period`, or `start` and `end`), filters and paging. */
export type UsageLogsQuery = {
  /** `24h`, `7d`: a positive integer and `h` or `d`. Not with `start`/`end`. */
  period?: string;
  /** ISO-8601 (a Date is sent as `toISOString()`); with `end`; at most 92 days apart. */
  start?: Date | string;
  end?: Date | string;
  /** Exact `source/alias` or bare alias; several are sent as repeated parameters (up to 50). */
  model?: string | readonly string[];
  status?: UsageLogStatus | readonly UsageLogStatus[];
  /** 1 to 100 (provider default 50). */
  limit?: number;
  offset?: number;
};

export type UsageLogStatus = 'succeeded' | 'failed';

/**
 * One usage-log row: one request, failed ones included (with zero cost). For an asynchronous
 * generation `inferenceId` is its generation id; `clientRequestId` is the request's
 * `X-Client-Request-Id` when it was valid. Only what the answer carried is set.
 */
export type UsageLogRow = {
  /** `succeeded` or `failed` as documented; kept as written. */
  status: string;
  /** ISO-8601 time of the request, as written, and as epoch ms when it parses. */
  created?: string;
  createdAt?: number;
  origin?: string;
  model?: string;
  costUsd?: number;
  creditsUsed?: number;
  requestId?: string;
  inferenceId?: string;
  clientRequestId?: string;
};

export type UsageLogPage = {
  rows: UsageLogRow[];
  limit: number;
  offset: number;
  total?: number;
  /** More rows after this page (`pagination.has_more`). */
  hasMore: boolean;
};

export interface AimlApiClient {
  /** POST /v2/video/generations. Throws AimlApiError (see errors.ts) classified by kind. */
  create(params: CreateGenerationParams, options?: RequestOptions): Promise<Generation>;
  /** GET /v2/video/generations?generation_id=<url-encoded id>. */
  get(generationId: string, options?: RequestOptions): Promise<Generation>;
  /**
   * GET /v2/logs: one page of usage-log rows, newest first. A read: every failure is `transient`
   * (429, 5xx, no answer), `account` (401, 403) or `permanent` (400, 404, a query refused before sending).
   */
  logs(query: UsageLogsQuery, options?: Pick<RequestOptions, 'signal'>): Promise<UsageLogPage>;
  /**
   * GET /v1/models?include=pricing: every model with its names and price, conditional on the ETag the
   * caller holds (`notModified` for a 304). A read, classified like `logs`.
   */
  pricedCatalogue(request?: PricedCatalogueRequest): Promise<PricedCatalogueAnswer>;
  /** GET /v2/billing: the account balance in USD. A read, classified like `logs`. */
  balance(options?: Pick<RequestOptions, 'signal'>): Promise<Balance>;
}

/**
 * How an error must be handled:
 * - permanent: retrying cannot help (400 validation, 404 unknown id);
 * - account: the key or the account is the problem (401, 403 out of credits): stop submitting for everyone;
 * - model_not_allowed: a create's 403 naming the requested model as not available for this account
 *   (plan/tier): fail that model's requests, keep the others going;
 * - transient: certainly nothing happened, retry later (429, 500, 503, connection refused / DNS failure;
 *   for reads also 502, 504 and every other 5xx);
 * - unknown_outcome: a create call was sent and no usable answer came (timeout, reset, or a gateway
 *   error such as 502/504/524/408 that may come after the provider accepted it): it may have been created.
 *   A `get` or `logs` call is never unknown_outcome (reads are safe to repeat).
 */
export type ErrorKind = 'permanent' | 'account' | 'model_not_allowed' | 'transient' | 'unknown_outcome';
