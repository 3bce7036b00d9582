/**
 * The public views of a batch (what `GET /v1/batches/:id` and its results export answer, and what
 * @vidqueue/client returns in both modes), mapped from the batch store. Shared by the API and the SDK.
 */
import type { BatchCounts, BatchRecord, BatchRowRecord } from './batch-record.js';
import type { Metadata } from './job-data.js';
import type { VideoStatus } from './video-view.js';

export const BATCH_STATUSES = ['queued', 'running', 'completed', 'cancelled'] as const;
/** `queued`: no row started; `running`; `completed`: every row finished; `cancelled`: a cancel was asked for. */
export type BatchStatus = (typeof BATCH_STATUSES)[number];

/** `GET /v1/batches/:id`: counts always add up to `total`. */
export type PublicBatchView = {
  id: string;
  status: BatchStatus;
  total: number;
  counts: BatchCounts;
  /** Sum of the cost the provider reported for completed rows. */
  cost_usd: number;
  created_at: string;
  finished_at: string | null;
};

/** The batch a create (or its idempotent repeat) answers, without the skipped rows' errors. */
export type CreatedBatchView = {
  id: string;
  status: BatchStatus;
  /** Rows enqueued. */
  total: number;
  /** Invalid rows left out. */
  skipped: number;
  created_at: string;
};

/** One line of `GET /v1/batches/:id/results`, in input order (CSV adds the metadata columns after these). */
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
  model: string;
  metadata: Metadata | null;
  /** Present (JSONL only) when the generation was found in the provider's usage logs after its create's answer was lost. */
  recovered?: true;
};

/** The columns of a CSV results export, before the input's metadata columns. */
export const BATCH_RESULT_COLUMNS = [
  'row',
  'custom_id',
  'status',
  'video_url',
  'error_code',
  'error_message',
  'generation_id',
  'cost_usd',
  'prompt',
  'model',
] as const;

export function batchStatus(batch: BatchRecord): BatchStatus {
  if (batch.meta.cancelledAt !== undefined) return 'cancelled';
  if (batch.meta.finishedAt !== undefined) return 'completed';
  return batch.counts.queued >= batch.meta.total ? 'queued' : 'running';
}

/** True when every row finished without a cancel: such a batch can no longer be cancelled. */
export function isBatchFinished(batch: BatchRecord): boolean {
  return batch.meta.finishedAt !== undefined && batch.meta.cancelledAt === undefined;
}

export function toBatchView(batch: BatchRecord): PublicBatchView {
  return {
    id: batch.meta.id,
    status: batchStatus(batch),
    total: batch.meta.total,
    counts: batch.counts,
    cost_usd: Math.round(batch.costUsd * 1e6) / 1e6,
    created_at: new Date(batch.meta.createdAt).toISOString(),
    finished_at: batch.meta.finishedAt === undefined ? null : new Date(batch.meta.finishedAt).toISOString(),
  };
}

export function toCreatedBatchView(batch: BatchRecord): CreatedBatchView {
  return {
    id: batch.meta.id,
    status: batchStatus(batch),
    total: batch.meta.total,
    skipped: batch.meta.skipped,
    created_at: new Date(batch.meta.createdAt).toISOString(),
  };
}

export function toBatchResultRow(record: BatchRowRecord): BatchResultRow {
  const { outcome, input } = record;
  return {
    row: record.row,
    custom_id: input.customId ?? null,
    status: record.status,
    video_url: outcome.video_url ?? null,
    error_code: outcome.error?.code ?? null,
    error_message: outcome.error?.message ?? null,
    generation_id: outcome.generation_id ?? null,
    cost_usd: outcome.cost_usd ?? null,
    prompt: input.input.prompt,
    model: input.input.model,
    metadata: input.metadata ?? null,
    ...(outcome.recovered === true && { recovered: true as const }),
  };
}
