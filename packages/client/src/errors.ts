/** One problem with one field, as the API lists them in `error.details`. */
export type FieldIssue = { path: string; message: string };

/** Base class of every error the SDK throws on purpose. `code` is stable; match on it or on the class. */
export class VidqueueError extends Error {
  override name = 'VidqueueError';
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The input was refused before anything was enqueued; `issues` name each field and its allowed values. */
export class ValidationError extends VidqueueError {
  override name = 'ValidationError';
  constructor(
    readonly issues: FieldIssue[],
    message = `The request is invalid: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`,
  ) {
    super(message, 'VALIDATION_ERROR');
  }
}

/** No video or batch with this id (never existed, or removed by retention). */
export class NotFoundError extends VidqueueError {
  override name = 'NotFoundError';
  constructor(
    readonly id: string,
    message = `Not found: ${id}`,
    code = 'NOT_FOUND',
  ) {
    super(message, code);
  }
}

/** `waitFor` gave up after `timeoutMs`; the video keeps going and can be waited for again. */
export class TimeoutError extends VidqueueError {
  override name = 'TimeoutError';
  constructor(
    readonly id: string,
    readonly timeoutMs: number,
  ) {
    super(`Video ${id} did not finish within ${timeoutMs} ms`, 'TIMEOUT');
  }
}

/**
 * The video ended without a result: `failureCode` is a vidqueue failure code (`generation_failed`,
 * `video_missing`, `rejected_by_provider`, `deadline_exceeded`, `submission_unknown`, `retries_exhausted`,
 * `cancelled`...) and the message is the provider's when it gave one.
 */
export class GenerationFailedError extends VidqueueError {
  override name = 'GenerationFailedError';
  constructor(
    readonly id: string,
    readonly failureCode: string,
    readonly providerMessage: string,
    readonly video?: unknown,
  ) {
    super(
      `Video ${id} ${failureCode === 'cancelled' ? 'was cancelled' : 'failed'}: ${failureCode}: ${providerMessage}`,
      'GENERATION_FAILED',
    );
  }
}

/** Redis or the API could not be reached (or answered 503). Safe to retry later. */
export class UnavailableError extends VidqueueError {
  override name = 'UnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'UNAVAILABLE', options);
  }
}

/** Any other refusal, with the API's status, code, message and details (e.g. 409 IDEMPOTENCY_KEY_MISMATCH). */
export class ApiError extends VidqueueError {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message, code);
  }
}
