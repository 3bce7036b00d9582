/**
 * The two passes of a batch ingest over a re-readable source, with bounded memory whatever the size:
 * pass one validates every row and stages the valid rows' requests; pass two adds the jobs. Each pass
 * writes one chunk while it parses the next.
 */
import {
  inChunks,
  iterateBulkRows,
  validateBulkFile,
  type BulkEvent,
  type BulkOptions,
  type BulkRow,
  type BulkValidation,
} from '@vidqueue/bulk';
import { batchRowJob, batchRowRequest } from './batch-jobs.js';
import { readSource, type BatchSource } from './batch-source.js';
import { CHUNK_ROWS, type ProducerContext } from './context.js';
import { batchPriorities } from './fair-share.js';

/** Most metadata column names a batch keeps (the CSV export's extra columns). */
export const MAX_METADATA_COLUMNS = 200;

/** Runs the writes of one chunk while the next is parsed; chunks stay in order; never an unhandled rejection. */
class Overlap {
  private previous: Promise<Error | undefined> = Promise.resolve(undefined);

  async push(write: () => Promise<unknown>): Promise<void> {
    await this.drain();
    this.previous = write().then(
      () => undefined,
      (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
    );
  }

  async drain(): Promise<void> {
    const failed = await this.previous;
    this.previous = Promise.resolve(undefined);
    if (failed) throw failed;
  }
}

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
  const writes = new Overlap();
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
  const onEvent = async (event: BulkEvent) => {
    switch (event.kind) {
      case 'row':
        onRow?.(event.row);
        if (event.row.metadata && columns.size < MAX_METADATA_COLUMNS) {
          for (const k of Object.keys(event.row.metadata)) columns.add(k);
        }
        if (!staging) break;
        chunk.push(event.row);
        if (chunk.length >= CHUNK_ROWS) await flush();
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
  };
  // validateBulkFile keeps the counts and errors; onEvent only collects columns and stages rows.
  const result = await validateBulkFile(readSource(source), { ...bulk, onEvent });
  await flush();
  await writes.drain();
  return { ...result, columns: [...columns].slice(0, MAX_METADATA_COLUMNS) };
}

/**
 * Pass two: reads the source again and adds a job per valid row, a chunk at a time, with ids
 * `<batchId>-<row>` (adding a row twice, as a resumed upload does, is a no-op in BullMQ) and
 * priorities by position in the batch (fair-share.ts).
 */
export async function enqueueRows(
  ctx: ProducerContext,
  source: BatchSource,
  bulk: BulkOptions,
  batchId: string,
): Promise<number> {
  const writes = new Overlap();
  const priorityOf = await batchPriorities(ctx);
  let added = 0;
  for await (const rows of inChunks(iterateBulkRows(readSource(source), bulk), CHUNK_ROWS)) {
    const jobs = rows.map((r, i) => batchRowJob(batchId, r, priorityOf(added + i)));
    added += jobs.length;
    await writes.push(() => ctx.guard.bulk(() => ctx.queue.addBulk(jobs)));
  }
  await writes.drain();
  return added;
}
