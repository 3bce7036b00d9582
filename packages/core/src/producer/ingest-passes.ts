/**
 * The two passes of a batch ingest, with bounded memory whatever the size: pass one parses and
 * validates the re-readable source and stages the valid rows' requests in Redis as it goes; pass two
 * reads those requests back, a chunk at a time, and adds the jobs (the file is parsed once). Each
 * pass writes one chunk while it prepares the next.
 */
import {
  validateBulkFile,
  type BulkEvent,
  type BulkOptions,
  type BulkRow,
  type BulkValidation,
} from '@vidqueue/bulk';
import { batchRowJob, batchRowRequest, type BatchJob } from './batch-jobs.js';
import { readSource, type BatchSource } from './batch-source.js';
import type { ProducerContext } from './context.js';
import { batchPriorities } from './fair-share.js';

/** Most metadata column names a batch keeps (the CSV export's extra columns). */
export const MAX_METADATA_COLUMNS = 200;

/**
 * Chunks' writes kept in flight while the next chunks are prepared: a write is started once fewer
 * than `depth` are pending (so with 2, Redis runs one chunk while this process encodes the next).
 * Writes start in order on one connection, so Redis runs them in order; the first failure is thrown
 * by `push` or `drain`; never an unhandled rejection.
 */
class Overlap {
  private readonly pending: Promise<Error | undefined>[] = [];

  constructor(private readonly depth: number) {}

  async push(write: () => Promise<unknown>): Promise<void> {
    while (this.pending.length >= this.depth) await this.settleOldest();
    this.pending.push(
      write().then(
        () => undefined,
        (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
      ),
    );
  }

  async drain(): Promise<void> {
    while (this.pending.length > 0) await this.settleOldest();
  }

  private async settleOldest(): Promise<void> {
    const failed = await this.pending.shift();
    if (failed) {
      // Later writes still settle (and are waited for), but the first failure is what is thrown.
      await Promise.all(this.pending.splice(0));
      throw failed;
    }
  }
}

/**
 * Rows per chunk of an ingest (staged requests, jobs added), and chunks of jobs in flight at once (see
 * `Overlap`). Smaller than CHUNK_ROWS on purpose: what is in flight (each job's encoded command and
 * BullMQ's objects, a few KB a row) outlives young-generation collections and is promoted, so with
 * 1,000-row chunks two in flight an upload promoted about twice what raw `addBulk` does, and the
 * old space (the API's peak RSS) grew with it. And what is live when a mark-compact runs sets the
 * next old-space limit (about 3.9 times it, trace-gc), so the chunks in flight weigh on the peak RSS
 * about four times over. 125 × 2 keeps Redis busy with one chunk while this process encodes the next:
 * at 100,000 rows, same runs, 258-265 MB peak RSS (250 × 2: 261-274 MB), the same CPU and time.
 */
export const INGEST_CHUNK_ROWS = 125;
export const INGEST_DEPTH = 2;

export type Checked = BulkValidation & { columns: string[] };

/**
 * Pass one: validates every row (`validateBulkFile`) and, while it parses, writes the valid rows'
 * requests under `stagingId`, so that pass two only adds jobs. Nothing a worker can see is written:
 * there are no jobs yet. Staging stops at the first invalid row when `rejectInvalid` (the file will be
 * refused anyway). `onRow` sees every valid row (the cost estimate). The caller drops the staged rows of a refused file, or adopts them into the batch.
 */
export async function validateAndStage(
  ctx: ProducerContext,
  source: BatchSource,
  bulk: BulkOptions,
  stagingId: string,
  rejectInvalid: boolean,
  onRow?: (row: BulkRow) => void,
): Promise<Checked> {
  const columns = new Set<string>();
  const writes = new Overlap(1);
  let chunk: BulkRow[] = [];
  let staging = true;
  const flush = async () => {
    const rows = chunk;
    chunk = [];
    if (staging && rows.length > 0) {
      await writes.push(() =>
        ctx.guard.bulk(() => ctx.staging.addRows(stagingId, rows.map(batchRowRequest))),
      );
    }
  };
  // Not async: a promise (a tick per row) only when a chunk is written.
  const onEvent = (event: BulkEvent): Promise<void> | undefined => {
    switch (event.kind) {
      case 'row':
        onRow?.(event.row);
        if (event.row.metadata && columns.size < MAX_METADATA_COLUMNS) {
          for (const k of Object.keys(event.row.metadata)) columns.add(k);
        }
        if (!staging) break;
        chunk.push(event.row);
        if (chunk.length >= INGEST_CHUNK_ROWS) return flush();
        break;
      case 'invalid':
        if (rejectInvalid) {
          staging = false;
          chunk = [];
        }
        break;
      case 'fatal':
        staging = false;
        chunk = [];
        break;
    }
    return undefined;
  };
  // validateBulkFile keeps the counts and errors; onEvent only collects columns and stages rows.
  const result = await validateBulkFile(readSource(source), { ...bulk, onEvent });
  await flush();
  await writes.drain();
  return { ...result, columns: [...columns].slice(0, MAX_METADATA_COLUMNS) };
}

/** Rows `from` .. `from + count - 1` of a batch's stored requests; `.catch` attached so a read not yet awaited never goes unhandled. */
function readRequests(ctx: ProducerContext, batchId: string, from: number, count: number) {
  const rows = Array.from({ length: count }, (_, i) => from + i);
  const read = ctx.guard.bulk(() => ctx.store.requests(batchId, rows));
  read.catch(() => undefined);
  return read;
}

/**
 * Pass two: adds a job per row whose request the batch record holds (the rows pass one staged and
 * the batch adopted), rows 1 .. `rows` in order (invalid rows skipped by `on_invalid=skip` have none),
 * a chunk at a time: the next chunk's requests are read while this one's jobs are added. Job ids are
 * `<batchId>-<row>` (adding a row twice, as a resumed upload does, is a no-op in BullMQ); priorities
 * follow the position in the batch (fair-share.ts). Resolves the number of jobs added.
 */
export async function enqueueRows(ctx: ProducerContext, batchId: string, rows: number): Promise<number> {
  const writes = new Overlap(INGEST_DEPTH);
  const priorityOf = await batchPriorities(ctx);
  // A chunk's jobs are split over the shards (one addBulk each): INGEST_CHUNK_ROWS for every shard.
  const chunk = INGEST_CHUNK_ROWS * ctx.queue.shards.length;
  let added = 0;
  let next = rows > 0 ? readRequests(ctx, batchId, 1, Math.min(chunk, rows)) : undefined;
  for (let from = 1; next !== undefined; from += chunk) {
    const requests = await next;
    const after = from + chunk;
    next = after <= rows ? readRequests(ctx, batchId, after, Math.min(chunk, rows - after + 1)) : undefined;
    const jobs: BatchJob[] = [];
    for (const [row, request] of requests) {
      jobs.push(batchRowJob(batchId, row, request, priorityOf(added)));
      added++;
    }
    if (jobs.length > 0) await writes.push(() => ctx.guard.bulk(() => ctx.queue.addBulk(jobs)));
  }
  await writes.drain();
  return added;
}
