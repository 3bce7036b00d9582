import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import { BROWSE_PAGE_MAX, IdempotencyKeySchema, VIDEO_STATUSES } from '@vidqueue/core/contract';

/** The app as the batch routes see it (zod type provider). */
export type ZodApp = Parameters<FastifyPluginAsyncZod>[0];

export const IdParams = z.object({ id: z.string().min(1).max(200).describe('The batch id (bat_…)') });

export const CreateQuery = z.object({
  on_invalid: z
    .enum(['reject', 'skip'])
    .default('reject')
    .describe(
      'reject (default): any bad row rejects the file; skip: enqueue the valid rows, report the others',
    ),
  model: z.string().min(1).optional().describe('Model for rows that name none (default DEFAULT_MODEL)'),
  dry_run: z
    .stringbool()
    .default(false)
    .describe('true: check and price the whole file, answer the estimate (200), enqueue nothing'),
  max_cost_usd: z.coerce
    .number()
    .positive()
    .optional()
    .describe(
      "The batch's spending cap in USD: rows that would pass it wait (status paused) until it is raised with PATCH",
    ),
  ignore_balance: z
    .stringbool()
    .default(false)
    .describe('true: enqueue even when the estimate is more than the account balance (otherwise 402)'),
  webhook_url: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .optional()
    .describe('Where to send this batch’s signed events (also a multipart field of that name)'),
  webhook_events: z
    .string()
    .optional()
    .describe(
      'Comma-separated: only these events to webhook_url (video.completed, video.failed, batch.completed); default all',
    ),
});

export const PatchBody = z.strictObject({
  max_cost_usd: z
    .number()
    .positive()
    .nullable()
    .describe('The new spending cap in USD (null removes it); the paused rows are resumed at once'),
});

export const DeleteQuery = z.object({
  purge: z
    .stringbool()
    .default(false)
    .describe(
      'true: remove a finished batch for good (its records, jobs and archived files) instead of cancelling',
    ),
});
export const PurgedSchema = z
  .object({
    id: z.string(),
    purged: z.literal(true),
    jobs_removed: z.number().int(),
    files_removed: z.number().int(),
  })
  .meta({ id: 'BatchPurged' });

export const CreateHeaders = z.looseObject({
  'idempotency-key': IdempotencyKeySchema.optional().describe(
    'Send the same file again with the same key to get the same batch; if enqueueing broke midway, this resumes it',
  ),
});

export const ResultsQuery = z.object({ format: z.enum(['jsonl', 'csv']).default('jsonl') });

export const RetryBody = z
  .strictObject({ only: z.literal('failed').default('failed').describe('Which rows: only failed ones') })
  .nullish();

export const RetriedSchema = z.object({ retried: z.number().int() }).meta({ id: 'BatchRetried' });

export const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(BROWSE_PAGE_MAX).default(20).describe('Batches per page'),
  cursor: z.string().min(1).max(120).optional().describe('next_cursor of the previous page'),
});

export const RowsQuery = z.object({
  status: z.enum(VIDEO_STATUSES).optional().describe('Only rows with this status'),
  q: z
    .string()
    .max(200)
    .optional()
    .describe('Only rows whose prompt or custom_id contains this text (ASCII case-insensitive)'),
  offset: z.coerce.number().int().min(0).default(0).describe('Matching rows to skip'),
  limit: z.coerce.number().int().min(1).max(BROWSE_PAGE_MAX).default(50).describe('Rows per page'),
});
