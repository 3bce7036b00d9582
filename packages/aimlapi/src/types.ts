/**
 * The public contract of the AI/ML API client. Implementation: client.ts, errors.ts, models.ts.
 */

/** Parameters of a create call, in the provider's own field names. */
export type CreateGenerationParams = {
  model: string;
  prompt: string;
  aspect_ratio?: string;
  duration?: number;
  num_inference_steps?: number;
  /** Extra fields for other models (negative_prompt, seed, resolution...), validated by the model table. */
  [field: string]: unknown;
};

/** Where a generation stands, normalised from the provider's many status spellings. */
export type GenerationPhase = 'pending' | 'completed' | 'failed';

export type Generation = {
  id: string;
  phase: GenerationPhase;
  /** The provider's own spelling (queued, generating, waiting, active, processing, completed, succeeded, error, ...). */
  status: string;
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

export type AimlApiClientOptions = {
  apiKey: string;
  /** Default https://api.aimlapi.com. */
  baseUrl?: string;
  /** Per-request timeout in ms (default 30 000). */
  timeoutMs?: number;
  /** For tests of the client itself; defaults to global fetch. */
  fetch?: typeof fetch;
  userAgent?: string;
};

export interface AimlApiClient {
  /** POST /v2/video/generations. Throws AimlApiError (see errors.ts) classified by kind. */
  create(params: CreateGenerationParams, options?: RequestOptions): Promise<Generation>;
  /** GET /v2/video/generations?generation_id=<url-encoded id>. */
  get(generationId: string, options?: RequestOptions): Promise<Generation>;
}

/**
 * How an error must be handled:
 * - permanent: retrying cannot help (400 validation, 404 unknown id);
 * - account: the key or the account is the problem (401, 403): stop submitting for everyone;
 * - transient: certainly nothing happened, retry later (429, 5xx answer, connection refused / DNS failure);
 * - unknown_outcome: a create call was sent and no answer came (timeout, reset): it may have been created.
 *   A `get` that times out is transient, not unknown_outcome (reads are safe to repeat).
 */
export type ErrorKind = 'permanent' | 'account' | 'transient' | 'unknown_outcome';
