import { randomBytes } from 'node:crypto';

/** Redis keys vidqueue owns beside BullMQ's, all under the queue prefix. */
export function vidqKeys(prefix: string) {
  const base = `${prefix}:vidq`;
  return {
    /** Set while a user has asked to cancel a job that has not finished. */
    cancel: (jobId: string) => `${base}:cancel:${jobId}`,
    /** Hash {reason, since, status} while provider submissions are paused for an account problem. */
    accountPause: `${base}:account-pause`,
    /** Idempotency-Key -> `<videoId> <sha256 of the request>[ added]`, for POST /v1/videos (producer/video-idempotency.ts). */
    idempotency: (key: string) => `${base}:idem:${key}`,
    /** Idempotency-Key -> `<batchId> <sha256 of the file> <hash of the options>`, for POST /v1/batches (producer/batch-idempotency.ts). */
    batchIdempotency: (key: string) => `${base}:batch-idem:${key}`,
    /** The Redis keys of one batch record (see batch-store.ts); all expire together. */
    batch: (batchId: string) => {
      const b = `${base}:batch:${batchId}`;
      return {
        /**
         * Hash: id, total, rows, created_at, finished_at, cancelled_at, format, sha256, columns...; the
         * spending fields (micro-USD): max_cost_micro_usd (the cap), estimated_micro_usd ('none' when no
         * row is priced), unpriced_rows, and under a cap reserved_micro_usd / spent_micro_usd (moved only
         * by the spend-* scripts).
         */
        meta: `${b}:meta`,
        /** Hash: queued, paused, generating, completed, failed, cancelled, cost_micro_usd. */
        counts: `${b}:counts`,
        /** Hash: row -> status. */
        status: `${b}:status`,
        /** Hash: row -> JSON of the row's request (input, custom_id, metadata), written at enqueue. */
        input: `${b}:input`,
        /** Hash: row -> JSON of the row's outcome (video_url, error, generation_id, cost...). */
        result: `${b}:result`,
        /** Hash: row -> attempt number (0 at first, n after the n-th retry); fences stale hooks. */
        attempt: `${b}:attempt`,
        /**
         * Pub/sub channel (not a key): every row transition script publishes `<row> <status>` to it
         * (`*` for a change of many rows), so a page can follow the batch without polling.
         */
        events: `${b}:events`,
      };
    },
    /**
     * Sorted set of batch ids scored by creation time (ms), for `GET /v1/batches`. An entry lives as long
     * as its record: ids whose record has expired are removed when a listing meets them.
     */
    batchIndex: `${base}:batches`,
    /** String with a TTL: a web page session, under the SHA-256 of its cookie's id (apps/api/src/web). */
    webSession: (idDigest: string) => `${base}:web-session:${idDigest}`,
    /** JSON ArchiveRecord of one video (by job id), as long as the video's records live. */
    archive: (videoId: string) => `${base}:archive:${videoId}`,
    /** Hash: row -> JSON ArchiveRecord of a batch's rows; expires with the batch record. */
    batchArchive: (batchId: string) => `${base}:batch:${batchId}:archive`,
    /** Set of a batch's rows whose archive has not settled: batch.completed waits for it to empty. */
    batchArchivePending: (batchId: string) => `${base}:batch:${batchId}:archive-pending`,
    /** The batch's `webhook_url` / `webhook_events` (JSON WebhookTarget); expires with the batch record. */
    batchWebhook: (batchId: string) => `${base}:batch:${batchId}:webhook`,
    /** Set NX once batch.completed was sent for the batch finishing at that time (a retry finishes it again). */
    batchCompletedSent: (batchId: string, finishedAt: number) =>
      `${base}:batch:${batchId}:completed-sent:${finishedAt}`,
    /** Sorted set: storage key -> when to look at it again for deletion (ARCHIVE_RETENTION=batch). */
    archiveExpiry: `${base}:archive-expiry`,
    /** Hash: storage key -> the Redis key whose existence keeps the file (batch meta or video record). */
    archiveOwner: `${base}:archive-owner`,
    /** Hash of one webhook delivery (event, url, target, status, counts); its attempts in `webhookAttempts`. */
    webhookDelivery: (deliveryId: string) => `${base}:webhook:delivery:${deliveryId}`,
    /** List of JSON attempts of one delivery, oldest first. */
    webhookAttempts: (deliveryId: string) => `${base}:webhook:attempts:${deliveryId}`,
    /** Sorted set of delivery ids about one video or batch, by creation time. */
    webhookIndex: (kind: 'video' | 'batch', id: string) => `${base}:webhook:by-${kind}:${id}`,
    /** Set when a receiver answered 410 Gone: nothing more goes to that URL (key: SHA-256 of the URL). */
    webhookGone: (urlHash: string) => `${base}:webhook:gone:${urlHash}`,
    /** Rate-limiter counters (rate-limiter-flexible), one per kind of provider call. */
    rateLimit: `${base}:rate`,
    /** Set with a TTL after a provider 429: every worker waits before that kind of call. */
    backoff: (kind: 'create' | 'status' | 'logs') => `${base}:backoff:${kind}`,
    /** String with a TTL after a provider 403 refused this model for the account: its jobs fail without a call. */
    modelBlock: (model: string) => `${base}:model-block:${model}`,
    /**
     * Hash of usage-log rows seen by any worker, for one period of request times: client request id →
     * the row (JSON). Unknown-outcome lookups read it before calling the provider.
     */
    logsSeen: (bucket: number) => `${base}:logs-seen:${bucket}`,
    /**
     * Usage-log passes over one window (`<model>|<start>|<end>`): `:done` holds when the latest whole
     * pass started (epoch ms), `:lock` is held by the worker running one, so lookups in the same window
     * share passes instead of each paging through it.
     */
    logsPass: (window: string) => ({
      done: `${base}:logs-pass:${window}:done`,
      lock: `${base}:logs-pass:${window}:lock`,
    }),
    /**
     * The provider's priced catalogue shared by every process (store/price-book.ts): `catalogue` is a hash
     * { body (JSON entries), etag, fetched_at, checked_at }, `lock` is held by the process refreshing it.
     */
    prices: { catalogue: `${base}:prices`, lock: `${base}:prices:lock` },
    /** Hash { reserved, spent } in micro-USD for one UTC day (`YYYY-MM-DD`): SPEND_LIMIT_USD_PER_DAY. */
    spendDay: (day: string) => `${base}:spend:${day}`,
    /**
     * Hash of one job's spending reservation { state: reserved|settled|released, amount, actual, day,
     * batch } in micro-USD, so reserving, settling and releasing are each done once whatever is replayed.
     */
    reservation: (jobId: string) => `${base}:reservation:${jobId}`,
    /** Sorted set of job ids with a generation at the provider, scored by when the entry expires. */
    inFlight: `${base}:in-flight`,
    /** List of recent generation times (ms) for one model and clip duration, newest first, bounded. */
    /**
     * Learned generation times of one timing key: model, clip duration (`default` when unknown) and,
     * for a model with a `resolution` field, the resolution (keys written before it stay as they were).
     */
    durations: (model: string, duration: number | string, resolution?: string) =>
      resolution === undefined
        ? `${base}:durations:${duration}:${model}`
        : `${base}:durations:${duration}:${resolution}:${model}`,
    /** Hash per metric (counters and histogram buckets) written by workers, read by GET /metrics. */
    metric: (name: string) => `${base}:metric:${name}`,
  };
}

/** Our job ids: BullMQ-safe (no `:`), URL-safe, unguessable. Provider generation ids are never job ids. */
export function newVideoId(): string {
  return `vid_${randomBytes(12).toString('base64url')}`;
}

/** Batch ids: `bat_…`, same alphabet as video ids (no `:`), so `<batchId>-<row>` is a valid job id. */
export function newBatchId(): string {
  return `bat_${randomBytes(12).toString('base64url')}`;
}
