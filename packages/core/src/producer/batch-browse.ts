/**
 * Finding one's way through batches: the recent ones (from the index the batch-create script keeps)
 * and one page of a batch's rows, filtered by status and by text, without reading a 100 000-row batch
 * whole: an unfiltered page of a batch with no skipped rows is read directly; otherwise the rows are
 * scanned in Redis a span at a time (row numbers only come back) until the page is full.
 */
import {
  BROWSE_PAGE_MAX,
  toBatchRowView,
  type BatchList,
  type BatchRowsPage,
} from '../contract/batch-browse.js';
import type { BatchRowRecord } from '../contract/batch-record.js';
import { toBatchView } from '../contract/batch-view.js';
import type { VideoStatus } from '../contract/video-view.js';
import { decodeBatchCursor, encodeBatchCursor } from '../store/batch-index.js';
import { requireBatch, withRowArchives, type ResultsOptions } from './batch-ops.js';
import { CHUNK_ROWS, type ProducerContext } from './context.js';
import { producerError } from './errors.js';

export type ListBatchesOptions = { limit?: number | undefined; cursor?: string | undefined };

export type ListRowsOptions = {
  status?: VideoStatus | undefined;
  /** Text to find in the prompt or custom id (plain, ASCII case-insensitive). */
  q?: string | undefined;
  offset?: number | undefined;
  limit?: number | undefined;
  /** Ends a scan between two spans (the client that asked has gone): its Redis work stops there. */
  signal?: AbortSignal | undefined;
} & ResultsOptions;

/** The most recent batches first, `limit` (default 20) at a time. */
export async function listBatches(
  ctx: ProducerContext,
  options: ListBatchesOptions = {},
): Promise<BatchList> {
  const limit = clamp(options.limit ?? 20);
  const after = options.cursor === undefined ? undefined : decodeBatchCursor(options.cursor);
  if (options.cursor !== undefined && after === undefined) {
    throw producerError.validation([{ path: 'cursor', message: 'Not a cursor this API gave' }]);
  }
  const { entries, next } = await ctx.guard.bulk(() => ctx.store.listBatchIds(limit, after));
  const records = await ctx.guard.bulk(() => Promise.all(entries.map((e) => ctx.store.get(e.id))));
  return {
    batches: records.flatMap((r) => (r ? [toBatchView(r)] : [])),
    next_cursor: next === undefined ? null : encodeBatchCursor(next),
  };
}

/** One page of a batch's rows in row order, with the filter's total when it is known cheaply. */
export async function listBatchRows(
  ctx: ProducerContext,
  id: string,
  options: ListRowsOptions = {},
): Promise<BatchRowsPage> {
  const { guard, store } = ctx;
  const batch = await requireBatch(ctx, id);
  const offset = Math.max(0, Math.trunc(options.offset ?? 0));
  const limit = clamp(options.limit ?? 50);
  const text = options.q?.trim() ?? '';
  const { status } = options;
  const lastRow = batch.meta.total + batch.meta.skipped;
  const knownTotal = text !== '' ? null : status === undefined ? batch.meta.total : batch.counts[status];
  // Completed rows show our archived copy when there is one, as in the results.
  const views = async (records: BatchRowRecord[]) =>
    (await withRowArchives(ctx, id, records, options)).map(([record, extras]) =>
      toBatchRowView(record, extras),
    );
  const page = (rows: BatchRowsPage['rows'], more: boolean, total: number | null): BatchRowsPage => ({
    rows,
    offset,
    limit,
    total,
    next_offset: more ? offset + rows.length : null,
  });

  if (knownTotal !== null && offset >= knownTotal) return page([], false, knownTotal);
  if (status === undefined && text === '' && batch.meta.skipped === 0) {
    const count = Math.min(limit, lastRow - offset);
    const records = await guard.bulk(() => store.rows(id, offset + 1, count));
    return page(await views(records), offset + records.length < lastRow, knownTotal);
  }

  // Scan spans of rows in Redis until offset + limit + 1 matches are seen (the +1 says "more").
  const wanted: number[] = [];
  let seen = 0;
  let from = 1;
  for (; from <= lastRow && wanted.length <= limit; from += CHUNK_ROWS) {
    options.signal?.throwIfAborted();
    const to = Math.min(lastRow, from + CHUNK_ROWS - 1);
    const matches = await guard.bulk(() => store.scanRows(id, from, to, { status, text }));
    for (const row of matches) {
      if (seen++ >= offset && wanted.length <= limit) wanted.push(row);
    }
  }
  const more = wanted.length > limit;
  const records = await guard.bulk(() => store.rowsAt(id, wanted.slice(0, limit)));
  // With a text filter the total is known once the scan has reached the last row.
  const total = knownTotal ?? (from > lastRow && !more ? seen : null);
  return page(await views(records), more, total);
}

function clamp(n: number): number {
  return Math.min(BROWSE_PAGE_MAX, Math.max(1, Math.trunc(n)));
}
