import createError from '@fastify/error';

/**
 * The errors only the HTTP layer makes (auth, the dashboard, unknown routes, media types), in one
 * table. Every refusal of the producer (validation, not found, conflicts, files, Redis down) is a
 * `ProducerError` from `@vidqueue/core/producer`, whose catalogue holds its code, status and message.
 * The body is always `{ error: { code, message, details? } }` (see plugins/error-handler.ts).
 */
export const HttpError = {
  BadRequest: createError('BAD_REQUEST', '%s', 400),
  MalformedMultipart: createError('MALFORMED_MULTIPART', '%s', 400),
  Unauthorized: createError('UNAUTHORIZED', 'A valid bearer token is required', 401),
  DashboardUnauthorized: createError(
    'DASHBOARD_UNAUTHORIZED',
    'The dashboard needs the DASHBOARD_USER and DASHBOARD_PASSWORD credentials',
    401,
  ),
  HostNotAllowed: createError(
    'HOST_NOT_ALLOWED',
    'The Host header %s does not name this API: without API_TOKENS it answers only to loopback (127.0.0.1, localhost, [::1]) with its own port; set ALLOWED_HOSTS to reach it under another name',
    403,
  ),
  CrossOriginRefused: createError('CROSS_ORIGIN_REFUSED', '%s', 403),
  RouteNotFound: createError('ROUTE_NOT_FOUND', 'Route %s %s not found', 404),
  DashboardDisabled: createError(
    'DASHBOARD_DISABLED',
    'The dashboard is off: set DASHBOARD_PASSWORD (at least 8 characters) and restart the API to enable Bull Board at /admin/queues',
    404,
  ),
  BatchMediaType: createError(
    'UNSUPPORTED_MEDIA_TYPE',
    'Send the file as text/csv, application/x-ndjson (JSONL), or multipart/form-data with a field named "file"',
    415,
  ),
  PartMediaType: createError(
    'UNSUPPORTED_MEDIA_TYPE',
    'The multipart file %s is neither CSV nor JSONL: name it .csv, .tsv, .txt, .jsonl or .ndjson, or send it as text/csv or application/x-ndjson',
    415,
  ),
  JsonMediaType: createError(
    'UNSUPPORTED_MEDIA_TYPE',
    'This route takes a JSON body (content-type: application/json) or none',
    415,
  ),
  CsrfTokenInvalid: createError(
    'CSRF_TOKEN_INVALID',
    "A request made with the web page's session cookie needs the page's CSRF token in the x-vidq-csrf header",
    403,
  ),
  SignInRefused: createError('SIGN_IN_REFUSED', 'That is not one of the API tokens', 401),
  TooManyAuthFailures: createError(
    'TOO_MANY_AUTH_FAILURES',
    'Too many wrong credentials (API token, dashboard password, web sign-in) came from this address (AUTH_FAILURE_LIMIT per AUTH_FAILURE_WINDOW_MS): every request from it that needs one is refused, a right one included; try again after Retry-After (%s s)',
    429,
  ),
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
  StorageUnavailable: createError(
    'STORAGE_UNAVAILABLE',
    'The video store did not answer (%s); try again after Retry-After seconds',
    503,
  ),
  RangeNotSatisfiable: createError('RANGE_NOT_SATISFIABLE', 'The range is outside the %s-byte file', 416),
  DeliveryNotFound: createError('DELIVERY_NOT_FOUND', 'No webhook delivery with id %s', 404),
  DeliveryPending: createError(
    'DELIVERY_PENDING',
    'Webhook delivery %s is still pending (an attempt of it is to come); replay it once it is delivered or has failed',
    409,
  ),
  WebhooksDisabled: createError(
    'WEBHOOKS_DISABLED',
    'Webhooks are off: set WEBHOOK_SECRET (whsec_…) so deliveries can be signed',
    400,
  ),
  UploadTooSlow: createError(
    'UPLOAD_TOO_SLOW',
    'The upload was cut: it sent %s bytes in the last %s s, below the minimum of %s bytes per second (UPLOAD_MIN_BYTES_PER_SEC); nothing was enqueued',
    408,
  ),
  TooManyUploads: createError(
    'TOO_MANY_UPLOADS',
    '%s uploads are in progress, the most this API takes at once (MAX_CONCURRENT_UPLOADS); send the file again after Retry-After seconds',
    503,
  ),
  TooManySearches: createError(
    'TOO_MANY_SEARCHES',
    '%s filtered row pages are being read, the most this API reads at once; try again after Retry-After seconds',
    503,
  ),
  TooManyStreams: createError(
    'TOO_MANY_STREAMS',
    '%s live event streams are open in this API process, the most it holds (MAX_EVENT_STREAMS); try again after Retry-After seconds',
    503,
  ),
  TooManyClientStreams: createError(
    'TOO_MANY_STREAMS',
    '%s live event streams are open from this client, the most one client holds (MAX_EVENT_STREAMS_PER_CLIENT); close one (a browser tab) or try again after Retry-After seconds',
    429,
  ),
  Internal: createError('INTERNAL_ERROR', 'Something went wrong on our side', 500),
} as const;
