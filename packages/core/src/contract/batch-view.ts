/**
 * The public views of a batch (what `POST /v1/batches`, `GET /v1/batches/:id` and its results export
 * answer, and what @vidqueue/client returns in both modes), mapped from the batch store. The zod
 * schemas serialize the API's responses and document them in OpenAPI; the types come from them.
 */
import { z } from 'zod';
import { chooseVideoUrl, toArchiveView, type ArchiveRecord, type ArchiveView } from './archive.js';
import { batchJobId, type BatchRecord, type BatchRowRecord } from './batch-record.js';
import type { Metadata } from './job-data.js';
import { rowCostUsd, rowGenerationIds } from './row-carry.js';
import { VIDEO_STATUSES, type VideoStatus } from './video-view.js';

export const BATCH_STATUSES = ['queued', 'running', 'paused', 'completed', 'cancelled'] as const;
/**
 * `queued`: no row started; `running`; `paused`: nothing queued or generating, some rows wait for a
 * spending cap; `completed`: every row finished; `cancelled`: a cancel was asked for.
 */
export type BatchStatus = (typeof BATCH_STATUSES)[number];

const iso = z.iso.datetime();

export const BatchCountsSchema = z
  .object(
    Object.fromEntries(VIDEO_STATUSES.map((s) => [s, z.number().int()])) as Record<VideoStatus, z.ZodNumber>,
  )
  .describe('Rows by status; they always add up to total');

/** `GET /v1/batches/:id`: counts always add up to `total`. */
export const BatchViewSchema = z
  .object({
    id: z.string().describe('The batch id (bat_…)'),
    status: z
      .enum(BATCH_STATUSES)
      .describe(
        'queued: no row started; running; paused: nothing queued or generating, some rows wait for a spending cap (PATCH max_cost_usd to resume them); completed: every row finished; cancelled: a cancel was asked for',
      ),
    total: z.number().int().describe('Rows in the batch'),
    counts: BatchCountsSchema,
    cost_usd: z
      .number()
      .describe(
        "Sum of every charge the provider reported for the rows' generations, each once (a retried row's earlier generations included)",
      ),
    possible_duplicates: z
      .number()
      .int()
      .describe(
        'Rows that may have been generated (and billed) twice: see possible_duplicate in the results',
      ),
    estimated_cost_usd: z
      .number()
      .nullable()
      .describe(
        "The catalogue's price of the priced rows at upload (null: no row priced, or an older batch)",
      ),
    unpriced_rows: z.number().int().describe('Rows whose price could not be told at upload'),
    max_cost_usd: z.number().nullable().describe("The batch's spending cap in USD, if any"),
    committed_cost_usd: z
      .number()
      .describe(
        'Under a cap: estimates reserved by rows being submitted or generated, replaced by their actual cost once the provider reports it (0 without a cap)',
      ),
    created_at: iso,
    finished_at: iso.nullable().describe('When the last unfinished row finished'),
  })
  .meta({ id: 'Batch' });
export type PublicBatchView = z.infer<typeof BatchViewSchema>;

/** One problem in an uploaded file: 1-based line, data row, column. */
export const RowErrorSchema = z.object({
  line: z.number().int(),
  row: z.number().int().optional(),
  column: z.string().optional(),
  message: z.string(),
});
export type RowError = z.infer<typeof RowErrorSchema>;

/** The batch a create (or its idempotent repeat, without `skipped_rows`) answers. */
export const CreatedBatchSchema = z
  .object({
    id: z.string(),
    status: z.enum(BATCH_STATUSES),
    total: z.number().int().describe('Rows enqueued'),
    skipped: z.number().int().describe('Invalid rows left out (on_invalid=skip)'),
    skipped_rows: z.array(RowErrorSchema).optional().describe('The first 100 errors of the skipped rows'),
    estimated_cost_usd: z
      .number()
      .nullable()
      .describe("The catalogue's price of the priced rows (null: no row priced)"),
    unpriced_rows: z.number().int().describe('Rows whose price cannot be told ahead of the request'),
    max_cost_usd: z.number().nullable().describe("The batch's spending cap in USD, if any"),
    created_at: iso,
  })
  .meta({ id: 'BatchCreated' });

/** One model's share of a dry run. */
export const ModelEstimateSchema = z.object({
  model: z.string(),
  rows: z.number().int(),
  estimated_cost_usd: z.number().nullable().describe('Its priced rows; null when none is priced'),
  unpriced_rows: z.number().int(),
});

/** `POST /v1/batches?dry_run=true`: what the file would cost; nothing enqueued. */
export const BatchEstimateSchema = z
  .object({
    total: z.number().int().describe('Rows that would be enqueued (the valid rows)'),
    skipped: z.number().int().describe('Invalid rows that would be left out (on_invalid=skip)'),
    estimated_cost_usd: z
      .number()
      .nullable()
      .describe(
        "The catalogue's price of the priced rows; null when no row is priced. Unpriced rows are never counted as 0",
      ),
    by_model: z.array(ModelEstimateSchema),
    unpriced_rows: z.number().int().describe('Rows whose price cannot be told ahead of the request'),
    prices_as_of: iso
      .nullable()
      .describe("When the provider's catalogue was last read (null: it could not be)"),
    balance_usd: z.number().nullable().describe('The account balance, when the API has a provider key'),
  })
  .meta({ id: 'BatchEstimate' });
export type BatchEstimateView = z.infer<typeof BatchEstimateSchema>;
export type CreatedBatchView = z.infer<typeof CreatedBatchSchema>;

/** One line of `GET /v1/batches/:id/results`, in input order (CSV adds the metadata columns after these). */
export type BatchResultRow = {
  row: number;
  custom_id: string | null;
  status: VideoStatus;
  /** Our archived copy (`GET /v1/videos/<batchId>-<row>/content`) once archived, else the provider's URL. */
  video_url: string | null;
  provider_video_url: string | null;
  /** Our copy: status, bytes, sha256 (check the download against it), archived_at, reason. */
  archive: ArchiveView | null;
  error_code: string | null;
  error_message: string | null;
  /** The current attempt's generation. */
  generation_id: string | null;
  /** Every generation the row made or may have made, oldest first (earlier attempts' too). */
  generation_ids: string[];
  /** The row's known charges, every attempt's. */
  cost_usd: number | null;
  prompt: string;
  model: string;
  metadata: Metadata | null;
  /** Present when the row may have been generated (and billed) twice; never cleared once set. */
  possible_duplicate?: true;
  /** Present (JSONL only) when the generation was found in the provider's usage logs after its create's answer was lost. */
  recovered?: true;
};

/** The columns of a CSV results export, before the input's metadata columns. */
export const BATCH_RESULT_COLUMNS = [
  'row',
  'custom_id',
  'status',
  'video_url',
  'provider_video_url',
  'archive_status',
  'archive_bytes',
  'archive_sha256',
  'archived_at',
  'error_code',
  'error_message',
  'generation_id',
  'cost_usd',
  'prompt',
  'model',
  'possible_duplicate',
  'generation_ids',
] as const;

export function batchStatus(batch: BatchRecord): BatchStatus {
  const { counts, meta } = batch;
  if (meta.cancelledAt !== undefined) return 'cancelled';
  if (meta.finishedAt !== undefined) return 'completed';
  if (counts.paused > 0 && counts.queued + counts.generating === 0) return 'paused';
  return counts.queued >= meta.total ? 'queued' : 'running';
}

const usd = (value: number) => Math.round(value * 1e6) / 1e6;

/** The money fields the batch views share. */
function budgetFields(batch: BatchRecord) {
  const { meta } = batch;
  return {
    estimated_cost_usd:
      meta.estimatedCostUsd === undefined || meta.estimatedCostUsd === null
        ? null
        : usd(meta.estimatedCostUsd),
    unpriced_rows: meta.unpricedRows ?? 0,
    max_cost_usd: meta.maxCostUsd ?? null,
  };
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
    cost_usd: usd(batch.costUsd),
    possible_duplicates: batch.possibleDuplicates,
    ...budgetFields(batch),
    committed_cost_usd: usd(batch.committedUsd),
    created_at: new Date(batch.meta.createdAt).toISOString(),
    finished_at: batch.meta.finishedAt === undefined ? null : new Date(batch.meta.finishedAt).toISOString(),
  };
}

/** The created view; `skippedRows` (the first errors of the rows left out) only on the creating request. */
export function toCreatedBatchView(batch: BatchRecord, skippedRows?: RowError[]): CreatedBatchView {
  return {
    id: batch.meta.id,
    status: batchStatus(batch),
    total: batch.meta.total,
    skipped: batch.meta.skipped,
    ...(skippedRows === undefined ? {} : { skipped_rows: skippedRows }),
    ...budgetFields(batch),
    created_at: new Date(batch.meta.createdAt).toISOString(),
  };
}

/**
 * One CSV cell of a results row, for every column of BATCH_RESULT_COLUMNS: the archive flattened,
 * `generation_ids` space-separated, `possible_duplicate` `true` or empty.
 */
export function batchResultCell(
  row: BatchResultRow,
  column: (typeof BATCH_RESULT_COLUMNS)[number],
): string | number | boolean | null {
  const archive = row.archive;
  if (column === 'archive_status') return archive?.status ?? null;
  if (column === 'archive_bytes') return archive?.bytes ?? null;
  if (column === 'archive_sha256') return archive?.sha256 ?? null;
  if (column === 'archived_at') return archive?.archived_at ?? null;
  if (column === 'generation_ids') return row.generation_ids.join(' ');
  return row[column] ?? null;
}

/** What a results row shows beyond the batch record: the row's archive and the base of our content URLs. */
export type BatchRowExtras = { batchId: string; archive?: ArchiveRecord; publicBase?: string };

export function toBatchResultRow(record: BatchRowRecord, extras?: BatchRowExtras): BatchResultRow {
  const { outcome, input, prior } = record;
  const possibleDuplicate =
    record.possibleDuplicate === true ||
    outcome.possible_duplicate === true ||
    prior?.possible_duplicate === true;
  const providerUrl = outcome.video_url ?? null;
  const completed = record.status === 'completed';
  return {
    row: record.row,
    custom_id: input.customId ?? null,
    status: record.status,
    video_url:
      extras && completed
        ? chooseVideoUrl(
            extras.publicBase,
            batchJobId(extras.batchId, record.row, record.attempt),
            providerUrl,
            extras.archive,
          )
        : providerUrl,
    provider_video_url: providerUrl,
    archive: completed ? toArchiveView(extras?.archive) : null,
    error_code: outcome.error?.code ?? null,
    error_message: outcome.error?.message ?? null,
    generation_id: outcome.generation_id ?? null,
    generation_ids: rowGenerationIds(prior, outcome.generation_id),
    cost_usd: rowCostUsd(prior, outcome.cost_usd),
    prompt: input.input.prompt,
    model: input.input.model,
    metadata: input.metadata ?? null,
    ...(possibleDuplicate && { possible_duplicate: true as const }),
    ...(outcome.recovered === true && { recovered: true as const }),
  };
}
