import type { ErrorKind } from './types.js';

export type AimlApiErrorDetails = {
  /** HTTP status of the provider's answer, when there was one. */
  status?: number;
  /** How long the provider asked us to wait (from Retry-After), in ms. */
  retryAfterMs?: number;
  /** The provider's own message (already redacted and truncated). */
  providerMessage?: string;
  /** The provider's request id (body `requestId` or header `x-request-id`), for support tickets. */
  requestId?: string;
  /** True when the caller's AbortSignal ended the request (not our timeout). */
  aborted?: boolean;
  /** True when our own request timeout ended the request. */
  timedOut?: boolean;
  /** The model a `model_not_allowed` refusal is about. */
  model?: string;
  cause?: unknown;
};

/**
 * Every error the client throws. Switch on `kind` (see ErrorKind in types.ts) rather than on the class
 * when deciding what to do; the subclasses exist for `instanceof` and readable stack traces.
 * Messages never contain the API key or the Authorization header.
 */
export class AimlApiError extends Error {
  override name = 'AimlApiError';
  readonly kind: ErrorKind;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly providerMessage?: string;
  readonly requestId?: string;
  readonly aborted?: boolean;
  readonly timedOut?: boolean;

  constructor(kind: ErrorKind, message: string, details: AimlApiErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = kind;
    if (details.status !== undefined) this.status = details.status;
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
    if (details.providerMessage !== undefined) this.providerMessage = details.providerMessage;
    if (details.requestId !== undefined) this.requestId = details.requestId;
    if (details.aborted) this.aborted = true;
    if (details.timedOut) this.timedOut = true;
  }
}

/** Retrying cannot help: 400 validation, 404 unknown id, other 4xx, or a bad argument caught before sending. */
export class PermanentError extends AimlApiError {
  override name = 'PermanentError';
  constructor(message: string, details?: AimlApiErrorDetails) {
    super('permanent', message, details);
  }
}

/** The key or the account is the problem (401, 403): stop submitting for everyone. */
export class AccountError extends AimlApiError {
  override name = 'AccountError';
  constructor(message: string, details?: AimlApiErrorDetails) {
    super('account', message, details);
  }
}

/**
 * A create refused with a 403 that names the requested model as not available for this account (a plan
 * or tier restriction): that model's requests cannot succeed, the account and other models still work.
 * Nothing was created. How it is told from the account-wide 403: `isModelNotAllowed` in classify.ts.
 */
export class ModelNotAllowedError extends AimlApiError {
  override name = 'ModelNotAllowedError';
  readonly model: string;
  constructor(message: string, details: AimlApiErrorDetails & { model: string }) {
    super('model_not_allowed', message, details);
    this.model = details.model;
  }
}

/** Nothing was created (or it was only a read): retry later, honouring `retryAfterMs` when set. */
export class TransientError extends AimlApiError {
  override name = 'TransientError';
  constructor(message: string, details?: AimlApiErrorDetails) {
    super('transient', message, details);
  }
}

/** A create call may have reached the provider and no usable answer came back: it may have been created. */
export class UnknownOutcomeError extends AimlApiError {
  override name = 'UnknownOutcomeError';
  constructor(message: string, details?: AimlApiErrorDetails) {
    super('unknown_outcome', message, details);
  }
}

export function isAimlApiError(error: unknown): error is AimlApiError {
  return error instanceof AimlApiError;
}

/** True when the caller's own AbortSignal ended the call (kind is transient, or unknown_outcome for a create). */
export function isAbortError(error: unknown): error is AimlApiError & { aborted: true } {
  return error instanceof AimlApiError && error.aborted === true;
}
