import { createReadStream } from 'node:fs';
import {
  inChunks,
  iterateBulkRows,
  validateBulkFile,
  type BulkEvent,
  type BulkOptions,
  type BulkRow,
  type BulkValidation,
} from '@vidqueue/bulk';
import type { BatchRowInput } from '@vidqueue/core/contract';
import type { GenerationQueue } from '@vidqueue/core/store';
import { batchRowJob, batchRowRequest } from '@vidqueue/core/producer';

/** Rows per Redis write (`addRows`, `addBulk`). */
export const INGEST_CHUNK_ROWS = 1000;

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

export type StageOptions = {
  /** Stop staging at the first invalid row (the file will be rejected anyway). */
  rejectInvalid: boolean;
  maxErrors?: number;
  /** Most metadata column names to collect. */
  maxColumns: number;
};

/**
 * The first pass over a spooled upload: validates every row (with `validateBulkFile`) and, while it
 * parses, writes the valid rows' requests under a staging id, so that pass two only adds jobs.
 * Nothing a worker can see is written: there are no jobs yet. The caller deletes the staging rows
 * when the file is refused, or adopts them into the batch (`store.adoptRows`).
 */
export async function validateAndStage(
  path: string,
  options: BulkOptions,
  stage: (rows: { row: number; request: BatchRowInput }[]) => Promise<void>,
  opts: StageOptions,
): Promise<BulkValidation & { columns: string[] }> {
  const columns = new Set<string>();
  const writes = new Overlap();
  let chunk: BulkRow[] = [];
  let staging = true;
  const flush = async () => {
    const rows = chunk;
    chunk = [];
    if (staging && rows.length > 0) await writes.push(() => stage(rows.map(batchRowRequest)));
  };
  const onEvent = async (event: BulkEvent) => {
    switch (event.kind) {
      case 'row':
        if (event.row.metadata && columns.size < opts.maxColumns) {
          for (const k of Object.keys(event.row.metadata)) columns.add(k);
        }
        if (!staging) break;
        chunk.push(event.row);
        if (chunk.length >= INGEST_CHUNK_ROWS) await flush();
        break;
      case 'invalid':
        if (opts.rejectInvalid) {
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
  const result = await validateBulkFile(createReadStream(path), {
    ...options,
    maxErrors: opts.maxErrors,
    onEvent,
  });
  await flush();
  await writes.drain();
  return { ...result, columns: [...columns].slice(0, opts.maxColumns) };
}

/**
 * The second pass: reads the file again and adds a job per valid row, 1000 at a time, with ids
 * `<batchId>-<row>` (adding a row twice, as a resumed upload does, is a no-op in BullMQ).
 */
export async function enqueueJobs(
  queue: GenerationQueue,
  batchId: string,
  path: string,
  options: BulkOptions,
  guard: <T>(op: () => Promise<T>) => Promise<T>,
): Promise<number> {
  const writes = new Overlap();
  let added = 0;
  for await (const rows of inChunks(iterateBulkRows(createReadStream(path), options), INGEST_CHUNK_ROWS)) {
    const jobs = rows.map((r) => batchRowJob(batchId, r));
    added += jobs.length;
    await writes.push(() => guard(() => queue.addBulk(jobs)));
  }
  await writes.drain();
  return added;
}
