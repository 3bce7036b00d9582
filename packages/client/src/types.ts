import type {
  BalanceView,
  BatchCounts,
  BatchEstimateView,
  BatchResultRow,
  BatchStatus,
  CreatedBatchView,
  Metadata,
  PublicBatchView,
  QueuedVideoView,
  RowError,
  VideoStatus,
  VideoView,
  WebhookEventType,
} from '@vidqueue/core/contract';
import type { ResumeResult } from '@vidqueue/core/producer';
import type { ModelDescription } from '@vidqueue/aimlapi';

// The views are the API's own (defined in @vidqueue/core for both modes).
export type {
  ModelDescription,
  BatchCounts,
  BatchResultRow,
  BatchStatus,
  Metadata,
  ResumeResult,
  RowError,
  VideoStatus,
  VideoView,
  WebhookEventType,
};

/**
 * One prompt, with the same fields as the body of `POST /v1/videos`: any other field is a parameter
 * of the chosen model (`GET /v1/models` lists each model's fields, values and defaults), checked
 * against the catalogue the same way in both modes; a field the model does not take is refused.
 */
export type VideoInput = {
  prompt: string;
  /** Default: the server's DEFAULT_MODEL (`sber-ai/kandinsky5-distill-t2v`). */
  model?: string;
  /** For example Kandinsky 5: `3:2`, `1:1` or `2:3`; Veo 3.1: `16:9` or `9:16`. */
  aspect_ratio?: string;
  /** Seconds of video, as the model allows (Kandinsky 5: 5 or 10). */
  duration?: number;
  /** Your own reference, returned as is. */
  custom_id?: string;
  /** Flat key/value pairs, returned as is. */
  metadata?: Metadata;
  /**
   * The video's own spending cap in USD: refused (`ApiError` 422 `MAX_COST_EXCEEDED`) when its estimate
   * is over it, or `UNPRICED_UNDER_CAP` when it cannot be priced; a price rise before submission pauses it.
   */
  max_cost_usd?: number;
  /** Where this video's signed events go (Standard Webhooks), besides the server's WEBHOOK_URL. */
  webhook_url?: string;
  /** Only these events to `webhook_url` (default: all); needs `webhook_url`. */
  webhook_events?: WebhookEventType[];
  /** A field of the model: `seed`, `resolution`, `generate_audio`, `cfg_scale`…; null: its default. */
  [field: string]: string | number | boolean | null | Metadata | WebhookEventType[] | undefined;
};

/** What `purgeBatch` answers: how many jobs and archived files went with the batch. */
export type PurgedBatch = { id: string; purged: true; jobs_removed: number; files_removed: number };

/** What `enqueue` answers: the new (or, for a repeated idempotency key, the original) video. */
export type QueuedVideo = QueuedVideoView;

export type EnqueueOptions = {
  /** The same key within 24 hours gives back the first video instead of enqueueing a second one. */
  idempotencyKey?: string;
};

export type WaitOptions = {
  /** Reject with TimeoutError after this long (default: wait as long as it takes). */
  timeoutMs?: number;
  /** Abort the wait (the video itself goes on). */
  signal?: AbortSignal;
};

/** One row of a batch: the same fields as one video (extra data goes in `metadata`). */
export type BatchRowInput = VideoInput;

export type EnqueueManyOptions = {
  /** The same key gives back the same batch instead of a second one. */
  idempotencyKey?: string;
  /** The batch's spending cap in USD: rows that would pass it wait (`paused`) until `updateBatch` raises it. */
  maxCostUsd?: number;
  /** Enqueue even when the estimate is more than the account balance (otherwise `ApiError` 402). */
  ignoreBalance?: boolean;
};

/**
 * Answer to `enqueueMany` and `uploadBatch` (`POST /v1/batches`): `total` rows enqueued, `skipped`
 * invalid rows left out (only with `onInvalid: 'skip'`) and the first 100 of their errors.
 */
export type CreatedBatch = CreatedBatchView & {
  /** Set when an earlier request under the same Idempotency-Key made this batch: nothing new was enqueued. */
  replayed?: true;
};

export type UploadOptions = EnqueueManyOptions & {
  /** `csv` or `jsonl`; default from the file extension (`.jsonl`/`.ndjson` → jsonl, else csv). */
  format?: 'csv' | 'jsonl';
  /** `reject` (default): one bad row rejects the file. `skip`: enqueue the valid rows. */
  onInvalid?: 'reject' | 'skip';
  /** Model for rows that name none (default: the server's DEFAULT_MODEL). */
  model?: string;
};

/** One webhook delivery as `GET /v1/webhooks/deliveries` lists it. */
export type WebhookDelivery = {
  id: string;
  event_type: 'video.completed' | 'video.failed' | 'batch.completed';
  url: string;
  video_id: string | null;
  batch_id: string | null;
  status: 'pending' | 'delivered' | 'failed' | 'gone';
  attempts: number;
  created_at: string;
  last_attempt_at: string | null;
  delivered_at: string | null;
  attempt_log: {
    attempt: number;
    at: string;
    duration_ms: number;
    status: number | null;
    error: string | null;
    replay: boolean;
  }[];
};

/** `GET /v1/batches/:id`: counts always add up to `total`. */
export type BatchView = PublicBatchView;

/** A dry run (`POST /v1/batches?dry_run=true`): what the rows would cost; nothing enqueued. */
export type BatchEstimate = BatchEstimateView;

/** The options of a dry run: those of an upload that change what is enqueued. */
export type EstimateOptions = Pick<UploadOptions, 'format' | 'onInvalid' | 'model'>;

/** The provider account's balance (`GET /v1/balance`); `balance_usd` null with the `reason` when unknown. */
export type Balance = BalanceView;

/**
 * The one interface of both modes: `createClient({ redisUrl })` talks to BullMQ directly,
 * `createClient({ apiUrl })` to the HTTP API. Same inputs, same views, same errors.
 */
export interface VidqueueClient {
  /** `'redis'` or `'http'`. */
  readonly mode: 'redis' | 'http';
  /** Validates and queues one prompt. Throws ValidationError before anything is enqueued. */
  enqueue(input: VideoInput, options?: EnqueueOptions): Promise<QueuedVideo>;
  /** Where a video stands. Throws NotFoundError. */
  get(id: string): Promise<VideoView>;
  /**
   * Resolves with the completed video; rejects with GenerationFailedError (failed or cancelled),
   * TimeoutError, NotFoundError, or the signal's reason when aborted.
   */
  waitFor(id: string, options?: WaitOptions): Promise<VideoView>;
  /** Cancels a video that has not finished; answers the video, now `cancelled`. */
  cancel(id: string): Promise<VideoView>;
  /** Queues many prompts as one batch (rows from an array or an async iterable). */
  enqueueMany(
    rows: Iterable<BatchRowInput> | AsyncIterable<BatchRowInput>,
    options?: EnqueueManyOptions,
  ): Promise<CreatedBatch>;
  /**
   * Uploads a CSV or JSONL file as it is (every row is checked first; a bad file is refused with
   * ApiError 422 whose `details.errors` list line, column and reason).
   */
  uploadBatch(file: string | NodeJS.ReadableStream, options?: UploadOptions): Promise<CreatedBatch>;
  /**
   * A dry run of rows (as `enqueueMany` would send them): every row checked and priced by the
   * provider's catalogue, by model, unpriced rows counted apart; nothing enqueued.
   */
  estimate(
    rows: Iterable<BatchRowInput> | AsyncIterable<BatchRowInput>,
    options?: Omit<EstimateOptions, 'format'>,
  ): Promise<BatchEstimate>;
  /** A dry run of a CSV or JSONL file (as `uploadBatch` would send it). */
  estimateFile(file: string | NodeJS.ReadableStream, options?: EstimateOptions): Promise<BatchEstimate>;
  /** Counts by status, cost so far, the estimate and the cap. */
  getBatch(id: string): Promise<BatchView>;
  /** Sets (or with null removes) the batch's spending cap; its paused rows are resumed at once. */
  updateBatch(id: string, patch: { maxCostUsd: number | null }): Promise<BatchView>;
  /** The provider account's balance, as the API reads it (the Redis mode: with `aimlapi.apiKey`). */
  balance(): Promise<Balance>;
  /** Every row of the batch in input order, streamed. */
  results(batchId: string): AsyncIterable<BatchResultRow>;
  /** The results export (CSV keeps the input's extra columns), as the API streams it, in raw chunks. */
  exportResults(batchId: string, format: 'csv' | 'jsonl'): AsyncIterable<Uint8Array>;
  /** Cancels every unfinished row of a batch. */
  cancelBatch(batchId: string): Promise<BatchView>;
  /**
   * Removes a finished batch for good: its records, jobs and archived files (`DELETE /v1/batches/:id?purge=true`);
   * `ApiError` 409 `BATCH_NOT_FINISHED` while rows are queued, paused or generating. HTTP mode only (the
   * archived files are in the API's storage).
   */
  purgeBatch(batchId: string): Promise<PurgedBatch>;
  /** Re-submits the failed rows of a batch (including `submission_unknown` ones). */
  retryFailed(batchId: string): Promise<{ retried: number }>;
  /**
   * Lifts the account-wide submission pause that workers set after a provider 401/403 (once the key
   * or the credits are fixed); jobs waiting to be submitted go at once. Harmless when not paused.
   */
  resumeSubmissions(): Promise<ResumeResult>;
  /**
   * Every model requests may name, with its fields (type, values or bounds, default), as `GET /v1/models`
   * answers: the API's catalogue over HTTP, this client's own in Redis mode (shipped, or `catalogueFile`).
   */
  models(): Promise<ModelDescription[]>;
  /** Webhook deliveries about a video or a batch, with every attempt. HTTP mode only. */
  webhookDeliveries(about: { videoId: string } | { batchId: string }): Promise<WebhookDelivery[]>;
  /** Sends a webhook delivery again (same webhook-id and body, new signature). HTTP mode only. */
  replayWebhookDelivery(deliveryId: string): Promise<{ id: string; job_id: string }>;
  /** Closes connections; the client cannot be used afterwards. */
  close(): Promise<void>;
}
