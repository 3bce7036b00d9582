import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';

/**
 * Fair sharing orders submissions only: once the provider has a generation, its status checks go to
 * BullMQ's wait list (priority 0), ahead of every prioritized job not yet submitted.
 */
describe('status checks under fair sharing', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('runs a due check of a low-priority batch row before a queue of new submissions', async () => {
    // The first check comes 1.5 s after the create call, once the generation is done.
    h = await startHarness({
      sim: { generationMs: 200 },
      env: { WORKER_CONCURRENCY: '1', STATUS_FIRST_CHECK_MS: '1500' },
    });
    const row = await h.add({ batchId: 'b-late', row: 1 }, { priority: 5_000 });
    await expect.poll(async () => (await h!.job(row.id!)).data.step, { interval: 20 }).toBe('checking');
    const submitted = await h.job(row.id!);
    expect(submitted.priority).toBe(0);

    const worker = h.running!.workers[0]!;
    await worker.pause();
    expect(await h.queue.getJobState(row.id!)).toBe('delayed');

    // While the worker is paused: 20 new submissions, all ahead of the row's own priority, and the
    // row's first check comes due.
    const fresh = await Promise.all(Array.from({ length: 20 }, () => h!.add({}, { priority: 2 })));
    await expect
      .poll(() => Date.now(), { interval: 20, timeout: 5_000 })
      .toBeGreaterThan(submitted.data.nextCheckAt!);
    await worker.resume();

    expect((await h.finished(row)).state).toBe('completed');
    const done = await h.job(row.id!);
    await Promise.all(fresh.map((j) => h!.finished(j)));
    const submittedAt = await Promise.all(fresh.map(async (j) => (await h!.job(j.id!)).data.submittedAt));
    // The check went first: at most the one submission taken as the row's delay ended.
    expect(submittedAt.filter((t) => t !== undefined && t < done.finishedOn!).length).toBeLessThanOrEqual(1);
  });
});
