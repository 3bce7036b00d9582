/**
 * The shape of a batch record: row statuses, the meta, the counts, each row's request and outcome, and
 * the job ids of a batch's rows. Stored by `store/batch-store.ts`; shown by `batch-view.ts`.
 */
import type { GenerationInput, Metadata } from './job-data.js';
import type { VideoStatus } from './video-view.js';

/** Rows by status (a row is one video, so its statuses are `VIDEO_STATUSES`). */
export type BatchCounts = Record<VideoStatus, number>;

export type BatchFormat = 'csv' | 'jsonl';

export type BatchMeta = {
  id: string;
  /** Rows in the batch (the valid rows of the file). */
  total: number;
  /** Invalid rows left out (`on_invalid=skip`). */
  skipped: number;
  format: BatchFormat;
  createdAt: number;
  /** Set once every row has reached completed, failed or cancelled; cleared by a retry. */
  finishedAt?: number;
  /** Set when the batch was cancelled (DELETE); cleared by a retry. */
  cancelledAt?: number;
  /** Set once every row is in the queue. */
  enqueuedAt?: number;
  idempotencyKey?: string;
  /** SHA-256 of the uploaded bytes, to tell an idempotent repeat from a different file. */
  sha256?: string;
  /** Names of the input's extra (metadata) columns, in input order. */
  columns: string[];
  /** The batch's spending cap in USD (`max_cost_usd`); changed by `PATCH /v1/batches/:id`. */
  maxCostUsd?: number;
  /** The catalogue's price of its priced rows at upload (null: no row priced); absent for older batches. */
  estimatedCostUsd?: number | null;
  /** Rows whose price could not be told at upload. */
  unpricedRows?: number;
};

/**
 * A batch as stored: its meta, its counts by row status, its cost so far (what the provider reported for
 * completed rows) and, under a cap, what is committed against it: the estimates reserved by rows being
 * submitted or generated, replaced by their actual cost once known (see store/batch-store.ts).
 */
export type BatchRecord = { meta: BatchMeta; counts: BatchCounts; costUsd: number; committedUsd: number };

/** What one row asked for, written when the row is enqueued. */
export type BatchRowInput = { input: GenerationInput; customId?: string; metadata?: Metadata };

/** What happened to one row (snake_case: it is what the API exports). */
export type BatchRowOutcome = {
  video_url?: string;
  error?: { code: string; message: string };
  generation_id?: string;
  cost_usd?: number;
  credits_used?: number;
  possible_duplicate?: boolean;
  /** The generation id came from the provider's usage logs after the create's answer was lost. */
  recovered?: boolean;
};

export type BatchRowRecord = {
  row: number;
  status: VideoStatus;
  /** 0 for the first job of the row, n after the n-th retry. */
  attempt: number;
  input: BatchRowInput;
  outcome: BatchRowOutcome;
};

export type CreateBatch = Omit<BatchMeta, 'createdAt' | 'finishedAt' | 'cancelledAt' | 'enqueuedAt'> & {
  createdAt?: number;
};

/** Job id of a row's job: `<batchId>-<row>`, then `<batchId>-<row>-r<n>` after the n-th retry. */
export function batchJobId(batchId: string, row: number, attempt = 0): string {
  return attempt === 0 ? `${batchId}-${row}` : `${batchId}-${row}-r${attempt}`;
}

/** The attempt a batch job id stands for (see `batchJobId`). */
export function batchJobAttempt(jobId: string | undefined): number {
  const m = /-r(\d+)$/.exec(jobId ?? '');
  return m ? Number(m[1]) : 0;
}
