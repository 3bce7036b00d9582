import { z } from 'zod';
import { BATCH_ROW_STATUSES, type BatchRowRecord, type BatchView as StoredBatch } from '@vidqueue/core';

export const BATCH_STATUSES = ['queued', 'running', 'completed', 'cancelled'] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

const iso = z.iso.datetime();

export const BatchCountsSchema = z
  .object(
    Object.fromEntries(BATCH_ROW_STATUSES.map((s) => [s, z.number().int()])) as Record<
      (typeof BATCH_ROW_STATUSES)[number],
      z.ZodNumber
    >,
  )
  .describe('Rows by status; they always add up to total');

export const BatchViewSchema = z
  .object({
    id: z.string().describe('The batch id (bat_…)'),
    status: z
      .enum(BATCH_STATUSES)
      .describe(
        'queued: no row started; running; completed: every row finished; cancelled: a cancel was asked for',
      ),
    total: z.number().int().describe('Rows in the batch'),
    counts: BatchCountsSchema,
    cost_usd: z.number().describe('Sum of the cost the provider reported for completed rows'),
    created_at: iso,
    finished_at: iso.nullable().describe('When the last unfinished row finished'),
  })
  .meta({ id: 'Batch' });
export type BatchViewBody = z.infer<typeof BatchViewSchema>;

export const RowErrorSchema = z.object({
  line: z.number().int(),
  row: z.number().int().optional(),
  column: z.string().optional(),
  message: z.string(),
});

export const BatchCreatedSchema = z
  .object({
    id: z.string(),
    status: z.enum(BATCH_STATUSES),
    total: z.number().int().describe('Rows enqueued'),
    skipped: z.number().int().describe('Invalid rows left out (on_invalid=skip)'),
    skipped_rows: z.array(RowErrorSchema).optional().describe('The first 100 errors of the skipped rows'),
    created_at: iso,
  })
  .meta({ id: 'BatchCreated' });
export type BatchCreatedBody = z.infer<typeof BatchCreatedSchema>;

export function batchStatus(batch: StoredBatch): BatchStatus {
  if (batch.meta.cancelledAt !== undefined) return 'cancelled';
  if (batch.meta.finishedAt !== undefined) return 'completed';
  return batch.counts.queued >= batch.meta.total ? 'queued' : 'running';
}

export function toBatchView(batch: StoredBatch): BatchViewBody {
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

/** One exported row (JSONL line; CSV adds the metadata columns after these). */
export type ResultRow = {
  row: number;
  custom_id: string | null;
  status: string;
  video_url: string | null;
  error_code: string | null;
  error_message: string | null;
  generation_id: string | null;
  cost_usd: number | null;
  prompt: string;
  model: string;
  metadata: Record<string, string | number | boolean | null> | null;
};

export const RESULT_COLUMNS = [
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

export function toResultRow(record: BatchRowRecord): ResultRow {
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
  };
}
