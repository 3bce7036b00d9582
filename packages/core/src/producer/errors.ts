/**
 * Every refusal of the producer, in one catalogue: a stable code, the HTTP status it stands for and its
 * default message. The API answers `{ error: { code, message, details? } }` with that status; the SDK's
 * Redis mode throws its typed errors (`ValidationError`, `NotFoundError`, `UnavailableError`, `ApiError`)
 * with the same status, code and message. Errors only the HTTP layer can make (auth, unknown route,
 * media type) live in the API's own table.
 */
export const PRODUCER_ERRORS = {
  VALIDATION_ERROR: { status: 400, message: 'The request is invalid' },
  VIDEO_NOT_FOUND: { status: 404, message: 'No such video' },
  BATCH_NOT_FOUND: { status: 404, message: 'No such batch' },
  VIDEO_FINISHED: { status: 409, message: 'The video has already finished and cannot be cancelled' },
  BATCH_FINISHED: { status: 409, message: 'The batch has already finished; nothing to cancel' },
  IDEMPOTENCY_KEY_MISMATCH: {
    status: 409,
    message: 'This Idempotency-Key was already used with a different request body',
  },
  IDEMPOTENCY_KEY_CONFLICT: {
    status: 409,
    message:
      'This Idempotency-Key was already used, but its video is not available (still being enqueued, or removed); retry shortly or use a new key',
  },
  INSUFFICIENT_BALANCE: {
    status: 402,
    message: 'The estimated cost is more than the account balance; nothing was enqueued',
  },
  FILE_TOO_LARGE: { status: 413, message: 'The file is larger than the upload limit' },
  TOO_MANY_ROWS: { status: 413, message: 'The file has more rows than the limit' },
  INVALID_FILE: { status: 422, message: 'The file cannot be read' },
  INVALID_ROWS: { status: 422, message: 'The file has invalid rows; nothing was enqueued' },
  UNPRICED_UNDER_CAP: {
    status: 422,
    message: 'A spending cap applies but the price of some rows cannot be told ahead; nothing was enqueued',
  },
  MAX_COST_EXCEEDED: { status: 422, message: "The video's estimated cost is over its max_cost_usd" },
  REDIS_UNAVAILABLE: { status: 503, message: 'The queue store (Redis) is unreachable; try again shortly' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ProducerErrorCode = keyof typeof PRODUCER_ERRORS;

/** One problem with one field, as listed in a VALIDATION_ERROR's `details` (`metadata.campaign`, `aspect_ratio`). */
export type FieldIssue = { path: string; message: string };

export type ProducerErrorOptions = {
  /** Replaces the catalogue's default message. */
  message?: string;
  /** Machine-readable specifics: field issues, row errors, the fatal problem of a file. */
  details?: unknown;
  /** The video or batch the error is about (not shown over HTTP, where the URL names it). */
  id?: string;
  cause?: unknown;
};

/** A refusal of the producer: `code` from the catalogue, `status` the HTTP status it stands for. */
export class ProducerError extends Error {
  override name = 'ProducerError';
  readonly code: ProducerErrorCode;
  readonly status: number;
  readonly details?: unknown;
  readonly id?: string;

  constructor(code: ProducerErrorCode, options: ProducerErrorOptions = {}) {
    super(
      options.message ?? PRODUCER_ERRORS[code].message,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.status = PRODUCER_ERRORS[code].status;
    if (options.details !== undefined) this.details = options.details;
    if (options.id !== undefined) this.id = options.id;
  }
}

export function isProducerError(err: unknown): err is ProducerError {
  return err instanceof ProducerError;
}

/** The catalogue's errors that name what they are about, with their messages. */
export const producerError = {
  validation: (issues: FieldIssue[]) =>
    new ProducerError('VALIDATION_ERROR', { details: issues }) as ProducerError & { details: FieldIssue[] },
  videoNotFound: (id: string) =>
    new ProducerError('VIDEO_NOT_FOUND', { message: `No video with id ${id}`, id }),
  batchNotFound: (id: string) =>
    new ProducerError('BATCH_NOT_FOUND', { message: `No batch with id ${id}`, id }),
  videoFinished: (id: string, status: string) =>
    new ProducerError('VIDEO_FINISHED', {
      message: `Video ${id} has already ${status} and cannot be cancelled`,
      id,
    }),
  batchFinished: (id: string) =>
    new ProducerError('BATCH_FINISHED', {
      message: `Batch ${id} has already finished; nothing to cancel`,
      id,
    }),
  fileTooLarge: (maxBytes: number) =>
    new ProducerError('FILE_TOO_LARGE', {
      message: `The file is larger than the limit of ${maxBytes} bytes`,
    }),
  unavailable: (cause?: unknown) => new ProducerError('REDIS_UNAVAILABLE', { cause }),
};
