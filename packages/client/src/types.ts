import type { Metadata, VideoStatus, VideoView } from '@vidqueue/core';

export type { Metadata, VideoStatus, VideoView };

/** One prompt, with the same fields as the body of `POST /v1/videos`. */
export type VideoInput = {
  prompt: string;
  /** Default: the server's DEFAULT_MODEL (`sber-ai/kandinsky5-distill-t2v`). */
  model?: string;
  /** Kandinsky 5: `3:2`, `1:1` or `2:3`. */
  aspect_ratio?: string;
  /** Kandinsky 5: 5 or 10 seconds. */
  duration?: number;
  num_inference_steps?: number;
  /** Your own reference, returned as is. */
  custom_id?: string;
  /** Flat key/value pairs, returned as is. */
  metadata?: Metadata;
};

/** What `enqueue` answers: the new (or, for a repeated idempotency key, the original) video. */
export type QueuedVideo = {
  id: string;
  status: VideoStatus;
  model: string;
  created_at: string;
};

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

/** One row of a batch: a prompt plus any extra columns, kept as metadata. */
export type BatchRowInput = VideoInput & Record<string, unknown>;

export type EnqueueManyOptions = {
  /** The same key gives back the same batch instead of a second one. */
  idempotencyKey?: string;
};

/** Answer to `enqueueMany` (`POST /v1/batches`). */
export type CreatedBatch = {
  id: string;
  status: string;
  total: number;
  skipped: number;
  created_at: string;
};

export type BatchCounts = {
  queued: number;
  generating: number;
  completed: number;
  failed: number;
  cancelled: number;
};

/** `GET /v1/batches/:id`: counts always add up to `total`. */
export type BatchView = {
  id: string;
  status: string;
  total: number;
  counts: BatchCounts;
  cost_usd: number | null;
  created_at: string;
  finished_at: string | null;
};

/** One line of `GET /v1/batches/:id/results`, in input order. */
export type BatchResultRow = {
  row: number;
  custom_id: string | null;
  status: VideoStatus;
  video_url: string | null;
  error_code: string | null;
  error_message: string | null;
  generation_id: string | null;
  cost_usd: number | null;
  prompt: string;
  metadata: Metadata | null;
};

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
  /** Counts by status, cost so far. */
  getBatch(id: string): Promise<BatchView>;
  /** Every row of the batch in input order, streamed. */
  results(batchId: string): AsyncIterable<BatchResultRow>;
  /** Cancels every unfinished row of a batch. */
  cancelBatch(batchId: string): Promise<BatchView>;
  /** Re-submits the failed rows of a batch (including `submission_unknown` ones). */
  retryFailed(batchId: string): Promise<BatchView>;
  /** Closes connections; the client cannot be used afterwards. */
  close(): Promise<void>;
}
