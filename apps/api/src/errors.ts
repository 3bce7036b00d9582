import createError from '@fastify/error';

/**
 * Every error the API answers with, in one table. The code is what clients match on; the message
 * is for humans. `%s` placeholders are filled from the constructor arguments.
 * The body is always `{ error: { code, message, details? } }` (see plugins/error-handler.ts).
 */
export const ApiError = {
  Validation: createError('VALIDATION_ERROR', 'The request is invalid', 400),
  BadRequest: createError('BAD_REQUEST', '%s', 400),
  Unauthorized: createError('UNAUTHORIZED', 'A valid bearer token is required', 401),
  DashboardUnauthorized: createError(
    'DASHBOARD_UNAUTHORIZED',
    'The dashboard needs the DASHBOARD_USER and DASHBOARD_PASSWORD credentials',
    401,
  ),
  RouteNotFound: createError('ROUTE_NOT_FOUND', 'Route %s %s not found', 404),
  VideoNotFound: createError('VIDEO_NOT_FOUND', 'No video with id %s', 404),
  DashboardDisabled: createError(
    'DASHBOARD_DISABLED',
    'The dashboard is off: set DASHBOARD_PASSWORD (at least 8 characters) and restart the API to enable Bull Board at /admin/queues',
    404,
  ),
  VideoFinished: createError('VIDEO_FINISHED', 'Video %s has already %s and cannot be cancelled', 409),
  IdempotencyMismatch: createError(
    'IDEMPOTENCY_KEY_MISMATCH',
    'This Idempotency-Key was already used with a different request body',
    409,
  ),
  IdempotencyUnavailable: createError(
    'IDEMPOTENCY_KEY_CONFLICT',
    'This Idempotency-Key was already used, but its video is not available (still being enqueued, or removed); retry shortly or use a new key',
    409,
  ),
  PayloadTooLarge: createError('PAYLOAD_TOO_LARGE', 'The request body is larger than %s bytes', 413),
  BatchNotFound: createError('BATCH_NOT_FOUND', 'No batch with id %s', 404),
  BatchFinished: createError('BATCH_FINISHED', 'Batch %s has already finished; nothing to cancel', 409),
  BatchNotFinished: createError(
    'BATCH_NOT_FINISHED',
    'Batch %s has rows still queued or generating; cancel it and wait for them to finish before purging',
    409,
  ),
  VideoNotArchived: createError(
    'VIDEO_NOT_ARCHIVED',
    'Video %s has no archived copy (%s); its video_url is the provider URL',
    404,
  ),
  ArchiveFileMissing: createError(
    'ARCHIVE_FILE_MISSING',
    'The archived file of video %s is missing from storage (deleted or expired)',
    404,
  ),
  RangeNotSatisfiable: createError('RANGE_NOT_SATISFIABLE', 'The range is outside the %s-byte file', 416),
  DeliveryNotFound: createError('DELIVERY_NOT_FOUND', 'No webhook delivery with id %s', 404),
  WebhooksDisabled: createError(
    'WEBHOOKS_DISABLED',
    'Webhooks are off: set WEBHOOK_SECRET (whsec_…) so deliveries can be signed',
    400,
  ),
  FileTooLarge: createError('FILE_TOO_LARGE', '%s', 413),
  TooManyRows: createError('TOO_MANY_ROWS', '%s', 413),
  InvalidFile: createError('INVALID_FILE', '%s', 422),
  InvalidRows: createError('INVALID_ROWS', '%s', 422),
  BatchMediaType: createError(
    'UNSUPPORTED_MEDIA_TYPE',
    'Send the file as text/csv, application/x-ndjson (JSONL), or multipart/form-data with a field named "file"',
    415,
  ),
  UnsupportedMediaType: createError('UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json', 415),
  Internal: createError('INTERNAL_ERROR', 'Something went wrong on our side', 500),
  RedisUnavailable: createError(
    'REDIS_UNAVAILABLE',
    'The queue store (Redis) is unreachable; try again shortly',
    503,
  ),
} as const;

/** One problem with one field, as listed in `error.details`. */
export type FieldIssue = { path: string; message: string };

/** A 400 whose `details` list every field problem (path like `aspect_ratio` or `metadata.campaign`). */
export function validationError(details: FieldIssue[]): Error & { details: FieldIssue[] } {
  const err = new ApiError.Validation() as InstanceType<typeof ApiError.Validation> & {
    details: FieldIssue[];
  };
  err.details = details;
  return err;
}
