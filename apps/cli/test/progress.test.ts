import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { BatchView } from '@vidqueue/client';
import { createProgressReporter, formatDuration, progressStats } from '../src/progress.js';

function batch(counts: Partial<BatchView['counts']>, total = 10): BatchView {
  return {
    id: 'bat_x',
    status: 'running',
    total,
    counts: { queued: 0, paused: 0, generating: 0, completed: 0, failed: 0, cancelled: 0, ...counts },
    cost_usd: 0,
    estimated_cost_usd: null,
    unpriced_rows: 0,
    max_cost_usd: null,
    committed_cost_usd: 0,
    possible_duplicates: 0,
    created_at: new Date(0).toISOString(),
    finished_at: null,
  };
}

function capture(tty: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream & PassThrough;
  stream.isTTY = tty;
  stream.columns = 160;
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  return { stream, text: () => text };
}

describe('progress', () => {
  it('computes rate and time left from what finished since the first look', () => {
    const s = progressStats(batch({ completed: 4, failed: 1, generating: 3, queued: 2 }), 0, 0, 60_000);
    expect(s).toMatchObject({ done: 5, completed: 4, failed: 1, inFlight: 3, queued: 2, ratePerMin: 5 });
    expect(s.etaSeconds).toBe(60);
    expect(progressStats(batch({ queued: 10 }), 0, 0, 1_000).etaSeconds).toBeUndefined();
    expect(formatDuration(75)).toBe('1m15s');
    expect(formatDuration(3_700)).toBe('1h01m');
  });

  it('prints plain lines without a terminal, only when something changed', () => {
    let now = 0;
    const out = capture(false);
    const reporter = createProgressReporter(out.stream, () => now);
    reporter.update(batch({ queued: 10 }));
    now = 1_000;
    reporter.update(batch({ queued: 10 }));
    now = 60_000;
    reporter.update(batch({ completed: 5, generating: 5 }));
    reporter.stop();
    expect(out.text().split('\n').filter(Boolean)).toEqual([
      'progress 0/10: 0 completed, 0 failed, 0 in flight, 10 queued | 0.0/min | ETA ?',
      'progress 5/10: 5 completed, 0 failed, 5 in flight, 0 queued | 5.0/min | ETA 1m00s',
    ]);
  });

  it('draws a bar on a terminal', () => {
    const out = capture(true);
    const reporter = createProgressReporter(out.stream);
    reporter.update(batch({ completed: 3, failed: 1, generating: 2, queued: 4 }));
    reporter.stop();
    expect(out.text()).toContain('4/10 | ✔ 3 ✖ 1 | in flight 2 | queued 4');
    expect(out.text()).not.toContain('progress 4/10');
  });
});
