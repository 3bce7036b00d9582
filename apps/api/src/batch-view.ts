import { z } from 'zod';
import { BATCH_STATUSES, VIDEO_STATUSES } from '@vidqueue/core/contract';

// The views' types and their mapping from the batch store live in @vidqueue/core (shared with the SDK);
// these schemas document them in OpenAPI and serialize the responses.

const iso = z.iso.datetime();

export const BatchCountsSchema = z
  .object(
    Object.fromEntries(VIDEO_STATUSES.map((s) => [s, z.number().int()])) as Record<
      (typeof VIDEO_STATUSES)[number],
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
