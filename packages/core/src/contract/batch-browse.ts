/**
 * The views a browser needs to find its way through batches (the web page, and any client): the list
 * of recent batches (`GET /v1/batches`) and one page of a batch's rows (`GET /v1/batches/:id/rows`).
 */
import { z } from 'zod';
import type { BatchRowRecord } from './batch-record.js';
import { ArchiveViewSchema } from './archive.js';
import { BatchViewSchema, toBatchResultRow, type BatchRowExtras } from './batch-view.js';
import { VIDEO_STATUSES } from './video-view.js';

/** Most rows or batches one page answers. */
export const BROWSE_PAGE_MAX = 200;

const MetadataValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** One row as the grid shows it: a results row (same names) plus the attempt and the duplicate flag. */
export const BatchRowViewSchema = z
  .object({
    row: z.number().int().describe('1-based data row of the uploaded file'),
    custom_id: z.string().nullable(),
    status: z.enum(VIDEO_STATUSES),
    prompt: z.string(),
    model: z.string(),
    video_url: z
      .string()
      .nullable()
      .describe('Our archived copy (GET /v1/videos/:id/content) once archived, else the provider URL'),
    provider_video_url: z.string().nullable().describe("The provider's URL (may expire after 24 h)"),
    archive: ArchiveViewSchema.nullable().describe('Our copy of a completed row; null when there is none'),
    error_code: z.string().nullable(),
    error_message: z.string().nullable(),
    generation_id: z.string().nullable(),
    generation_ids: z
      .array(z.string())
      .describe('Every generation the row made or may have made, oldest first (retries included)'),
    cost_usd: z.number().nullable(),
    metadata: z.record(z.string(), MetadataValue).nullable(),
    attempt: z.number().int().describe('0 for the first job of the row, n after the n-th retry'),
    possible_duplicate: z
      .boolean()
      .describe(
        'The row may have been generated (and billed) twice (a retry after a create whose outcome was unknown); never cleared once set',
      ),
  })
  .meta({ id: 'BatchRow' });
export type BatchRowView = z.infer<typeof BatchRowViewSchema>;

export const BatchRowsPageSchema = z
  .object({
    rows: z.array(BatchRowViewSchema),
    offset: z.number().int(),
    limit: z.number().int(),
    total: z
      .number()
      .int()
      .nullable()
      .describe(
        'Rows matching the filter, when known without reading them all (null with q, until the last page)',
      ),
    next_offset: z.number().int().nullable().describe('Offset of the next page, null on the last one'),
  })
  .meta({ id: 'BatchRowsPage' });
export type BatchRowsPage = z.infer<typeof BatchRowsPageSchema>;

export const BatchListSchema = z
  .object({
    batches: z.array(BatchViewSchema).describe('Newest first'),
    next_cursor: z.string().nullable().describe('Pass as ?cursor= for the next page; null on the last one'),
  })
  .meta({ id: 'BatchList' });
export type BatchList = z.infer<typeof BatchListSchema>;

export function toBatchRowView(record: BatchRowRecord, extras?: BatchRowExtras): BatchRowView {
  const { recovered: _recovered, ...row } = toBatchResultRow(record, extras);
  return {
    ...row,
    attempt: record.attempt,
    possible_duplicate: row.possible_duplicate === true,
  };
}
