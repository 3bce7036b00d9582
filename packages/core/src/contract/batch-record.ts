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
/**
 * A batch as stored: its meta, its counts by row status, its cost so far (every known charge of its
 * rows' generations, once each), how many rows are flagged possible duplicates and, under a cap, what is
 * committed against it: the estimates reserved by rows being submitted or generated, replaced by their
 * actual cost once known (see store/batch-store.ts).
 */
export type BatchRecord = {
  meta: BatchMeta;
  counts: BatchCounts;
  costUsd: number;
  possibleDuplicates: number;
  committedUsd: number;
};

/** What one row asked for, written when the row is enqueued. */
export type BatchRowInput = { input: GenerationInput; customId?: string; metadata?: Metadata };

/** What happened to one row's current attempt (snake_case: it is what the API exports). */
export type BatchRowOutcome = {
  video_url?: string;
  error?: { code: string; message: string };
  generation_id?: string;
  /** The known charge of this attempt's generation (completed, or failed in a way that was billed). */
  cost_usd?: number;
  credits_used?: number;
  possible_duplicate?: boolean;
  /** The generation id came from the provider's usage logs after the create's answer was lost. */
  recovered?: boolean;
};

/**
 * What a row keeps from its earlier attempts when it is retried (written by the retry, see
 * `retryCarry`): every generation they made or may have made, oldest first, whether the row may have
 * been generated twice, and their known charges (already counted in the batch's cost).
 */
export type BatchRowCarry = {
  generation_ids?: string[];
  possible_duplicate?: true;
  cost_micro_usd?: number;
};

export type BatchRowRecord = {
  row: number;
  status: VideoStatus;
  /** 0 for the first job of the row, n after the n-th retry. */
  attempt: number;
  input: BatchRowInput;
  outcome: BatchRowOutcome;
  /** What the row's earlier attempts left (absent before a retry). */
  prior?: BatchRowCarry;
  /** The row was flagged a possible duplicate at some point; a flag is never cleared. */
  possibleDuplicate?: boolean;
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
