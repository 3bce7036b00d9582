import { SingleBar } from 'cli-progress';
import type { BatchView } from '@vidqueue/client';

/** Shows a batch's progress: a live bar on a terminal, plain lines otherwise. */
export type ProgressReporter = {
  update(batch: BatchView): void;
  stop(): void;
};

export type ProgressStats = {
  done: number;
  completed: number;
  failed: number;
  cancelled: number;
  inFlight: number;
  queued: number;
  /** Rows waiting for a spending cap. */
  paused: number;
  /** Rows finished per minute since the first observation. */
  ratePerMin: number;
  /** Seconds left at that rate; undefined until something has finished. */
  etaSeconds: number | undefined;
};

/** Counts, rate and time left from two observations of the batch. */
export function progressStats(
  batch: BatchView,
  startedAt: number,
  doneAtStart: number,
  now: number,
): ProgressStats {
  const { completed, failed, cancelled, generating, queued } = batch.counts;
  const done = completed + failed + cancelled;
  const minutes = Math.max((now - startedAt) / 60_000, 1 / 600);
  const ratePerMin = Math.max(0, done - doneAtStart) / minutes;
  const left = batch.total - done;
  return {
    done,
    completed,
    failed,
    cancelled,
    inFlight: generating,
    queued,
    paused: batch.counts.paused,
    ratePerMin,
    etaSeconds: ratePerMin > 0 ? Math.round((left / ratePerMin) * 60) : undefined,
  };
}

export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined) return '?';
  if (seconds < 60) return `${seconds}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** One plain line, as printed without a terminal. */
export function progressLine(batch: BatchView, s: ProgressStats): string {
  return (
    `progress ${s.done}/${batch.total}: ${s.completed} completed, ${s.failed} failed` +
    (s.cancelled > 0 ? `, ${s.cancelled} cancelled` : '') +
    `, ${s.inFlight} in flight, ${s.queued} queued` +
    (s.paused > 0 ? `, ${s.paused} paused` : '') +
    ` | ${s.ratePerMin.toFixed(1)}/min | ETA ${formatDuration(s.etaSeconds)}`
  );
}

export function createProgressReporter(
  stream: NodeJS.WriteStream,
  now: () => number = Date.now,
): ProgressReporter {
  let startedAt: number | undefined;
  let doneAtStart = 0;
  const tty = stream.isTTY === true;
  let bar: SingleBar | undefined;
  let lastLine = '';
  let lastPrinted = 0;

  return {
    update(batch) {
      const t = now();
      if (startedAt === undefined) {
        startedAt = t;
        const c = batch.counts;
        doneAtStart = c.completed + c.failed + c.cancelled;
      }
      const s = progressStats(batch, startedAt, doneAtStart, t);
      const payload = {
        completed: s.completed,
        failed: s.failed,
        inFlight: s.inFlight,
        queued: s.queued,
        rate: s.ratePerMin.toFixed(1),
        timeLeft: formatDuration(s.etaSeconds),
      };
      if (tty) {
        if (!bar) {
          bar = new SingleBar({
            stream,
            format:
              '{bar} {value}/{total} | ✔ {completed} ✖ {failed} | in flight {inFlight} | queued {queued} | {rate}/min | ETA {timeLeft}',
            barsize: 30,
            hideCursor: true,
            etaBuffer: 20,
          });
          bar.start(batch.total, s.done, payload);
        } else {
          bar.update(s.done, payload);
        }
        return;
      }
      const line = progressLine(batch, s);
      // Without a terminal: a line when something changed, and at least every 10 s.
      if (line !== lastLine || t - lastPrinted >= 10_000) {
        stream.write(`${line}\n`);
        lastLine = line;
        lastPrinted = t;
      }
    },
    stop() {
      bar?.stop();
    },
  };
}
