import { setTimeout as sleep } from 'node:timers/promises';
import { UnavailableError, type BatchView, type VidqueueClient } from '@vidqueue/client/http';
import type { CliIo } from './cli-io.js';
import { createProgressReporter, formatDuration } from './progress.js';

function isFinished(batch: BatchView): boolean {
  const c = batch.counts;
  return c.completed + c.failed + c.cancelled >= batch.total;
}

/** Polls the batch until every row has finished, reporting progress on the way. */
export async function follow(
  vq: VidqueueClient,
  id: string,
  io: CliIo,
  intervalMs: number,
): Promise<BatchView> {
  const reporter = createProgressReporter(io.stderr);
  const started = Date.now();
  try {
    let misses = 0;
    for (;;) {
      let batch: BatchView;
      try {
        batch = await vq.getBatch(id);
        misses = 0;
      } catch (err) {
        // The API restarting is no reason to give up on a long batch: keep trying for a minute or so.
        if (!(err instanceof UnavailableError) || ++misses > 60) throw err;
        io.stderr.write(`api unavailable (${err.message}); retrying\n`);
        await sleep(Math.max(intervalMs, 1_000));
        continue;
      }
      reporter.update(batch);
      if (isFinished(batch)) {
        reporter.stop();
        io.stderr.write(`finished in ${formatDuration(Math.round((Date.now() - started) / 1000))}\n`);
        return batch;
      }
      await sleep(intervalMs);
    }
  } finally {
    reporter.stop();
  }
}
