import { setTimeout as sleep } from 'node:timers/promises';
import { UnavailableError, type BatchView, type VidqueueClient } from '@vidqueue/client/http';
import { Interrupted, type CliIo } from './cli-io.js';
import { createProgressReporter, formatDuration } from './progress.js';

function isFinished(batch: BatchView): boolean {
  const c = batch.counts;
  return c.completed + c.failed + c.cancelled >= batch.total;
}

/** Nothing is queued or generating and some rows wait for a spending cap: following would never end. */
function isStopped(batch: BatchView): boolean {
  return batch.status === 'paused';
}

/**
 * Polls the batch until every row has finished (or the rest wait for a spending cap: the summary then
 * says how to go on), reporting progress on the way.
 */
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
        if (io.signal?.aborted) throw new Interrupted();
        // The API restarting is no reason to give up on a long batch: keep trying for a minute or so.
        if (!(err instanceof UnavailableError) || ++misses > 60) throw err;
        io.stderr.write(`api unavailable (${err.message}); retrying\n`);
        await pause(Math.max(intervalMs, 1_000), io.signal);
        continue;
      }
      reporter.update(batch);
      if (isFinished(batch) || isStopped(batch)) {
        reporter.stop();
        const took = formatDuration(Math.round((Date.now() - started) / 1000));
        io.stderr.write(
          isStopped(batch)
            ? `stopped at its cap after ${took}: ${batch.counts.paused} row(s) paused\n`
            : `finished in ${took}\n`,
        );
        return batch;
      }
      await pause(intervalMs, io.signal);
    }
  } finally {
    reporter.stop();
  }
}

/** Waits, or throws `Interrupted` on Ctrl-C. */
async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await sleep(ms, undefined, signal ? { signal } : {});
  } catch (err) {
    if (signal?.aborted) throw new Interrupted();
    throw err;
  }
}
