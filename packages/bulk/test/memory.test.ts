import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { iterateBulkRows, validateBulkFile } from '../src/index.js';
import { options } from './helpers.js';

// A full collection before each sample, so samples measure what is kept, not garbage not yet collected.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const ROWS = 100_000;
const PROMPT = 'A slow aerial shot over a misty pine forest at sunrise, birds crossing, warm light, '.repeat(
  2,
);

/** A generated 100 000-row CSV, produced on demand in ~64 KiB chunks; `sample` runs every 4 MiB. */
async function* generatedCsv(sample: () => void, stats: { bytes: number }): AsyncGenerator<Buffer> {
  let pending = 'prompt,duration,aspect_ratio,custom_id,team\r\n';
  let sinceSample = 0;
  for (let i = 1; i <= ROWS; i++) {
    pending += `"${PROMPT}row ${i}, ""quoted""",${i % 2 === 0 ? 5 : 10},3:2,id-${i},team-${i % 13}\r\n`;
    if (pending.length >= 64 * 1024 || i === ROWS) {
      const chunk = Buffer.from(pending, 'utf8');
      pending = '';
      stats.bytes += chunk.length;
      sinceSample += chunk.length;
      if (sinceSample >= 4 * 1024 * 1024) {
        sinceSample = 0;
        sample();
      }
      await Promise.resolve();
      yield chunk;
    }
  }
}

function heapTracker(): { sample: () => void; growth: () => number } {
  gc();
  const baseline = process.memoryUsage().heapUsed;
  let peak = baseline;
  return {
    sample: () => {
      gc();
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    },
    growth: () => peak - baseline,
  };
}

// Two full passes over 21 MB with forced collections: allow for a busy machine.
describe('memory', { timeout: 90_000 }, () => {
  it('validates a 100 000-row CSV stream with heap growth far below the file size', async () => {
    const heap = heapTracker();
    const stats = { bytes: 0 };
    const result = await validateBulkFile(generatedCsv(heap.sample, stats), options('csv'));
    expect(result).toEqual({ total: ROWS, valid: ROWS, invalid: 0, errors: [], errorCount: 0 });
    expect(stats.bytes).toBeGreaterThan(20 * 1000 * 1000);
    // What stays is the custom_id map (about 7 MB here); keeping the rows would take about three
    // times the file size (measured: 66 MB for this 21 MB file).
    expect(heap.growth()).toBeLessThan(Math.min(60 * 1024 * 1024, stats.bytes / 2));
  });

  it('iterates the same stream with the same bound', async () => {
    const heap = heapTracker();
    const stats = { bytes: 0 };
    let count = 0;
    let last = '';
    for await (const row of iterateBulkRows(generatedCsv(heap.sample, stats), options('csv'))) {
      count++;
      last = row.customId ?? '';
    }
    expect([count, last]).toEqual([ROWS, `id-${ROWS}`]);
    expect(heap.growth()).toBeLessThan(Math.min(60 * 1024 * 1024, stats.bytes / 2));
  });
});
