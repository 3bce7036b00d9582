import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';

/**
 * Retention (KEEP_*) is applied by the worker when a job finishes, not stored in every job's options:
 * a job's `opts` hold only what is its own, and the completed set keeps KEEP_COMPLETED_COUNT jobs.
 */
describe('retention of finished generations', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('keeps KEEP_COMPLETED_COUNT completed jobs, with no retention in any job', async () => {
    h = await startHarness({ sim: { generationMs: 50 }, env: { KEEP_COMPLETED_COUNT: '2' } });
    const jobs = [];
    for (let i = 0; i < 4; i += 1) {
      const job = await h.add();
      expect((await h.finished(job)).state).toBe('completed');
      jobs.push(job);
    }
    expect(await h.queue.getCompletedCount()).toBe(2);
    const kept = await h.queue.getJobs('completed');
    expect(kept.map((j) => j.id).sort()).toEqual(
      jobs
        .slice(2)
        .map((j) => j.id)
        .sort(),
    );
    for (const job of kept) {
      expect(job.opts).not.toHaveProperty('removeOnComplete');
      expect(job.opts).not.toHaveProperty('removeOnFail');
      expect(job.opts.attempts).toBe(5);
    }
  });

  it('lets a job that carries its own removeOnComplete keep it', async () => {
    h = await startHarness({ sim: { generationMs: 50 }, env: { KEEP_COMPLETED_COUNT: '5' } });
    const own = await h.add({}, { removeOnComplete: true });
    const other = await h.add();
    expect((await h.finished(own)).state).toBe('completed');
    expect((await h.finished(other)).state).toBe('completed');
    // `own` asked to go once completed; `other` is kept under KEEP_COMPLETED_COUNT.
    expect(await h.queue.getJobState(own.id!)).toBe('unknown');
    expect(await h.queue.getJobState(other.id!)).toBe('completed');
  });
});
