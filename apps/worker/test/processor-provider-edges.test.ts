import { afterEach, describe, expect, it } from 'vitest';
import { readMetrics } from '@vidqueue/core/runtime';
import { checkedStatuses, startHarness, type Harness } from './harness.js';

/** The provider's rough edges, as the simulator rebuilt from its published data plays them. */
describe('provider rough edges', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('a fresh id answering 404 to its first polls is checked again within the grace, and completes', async () => {
    // 404s for 1 s: the first check (after 100 ms) meets one even on a loaded machine.
    h = await startHarness({ sim: { generationMs: 1_200, fresh404Ms: 1_000 } });
    const job = await h.add();
    const done = await h.finished(job);
    expect(done.state).toBe('completed');
    expect(h.sim.stats().rejected.fresh_not_found).toBeGreaterThanOrEqual(1);
    const { logs } = await h.queue.getJobLogs(job.id!);
    expect(logs).toContainEqual(
      expect.stringMatching(
        /^check 1: not found \(404\) \d+ s after submission; checked again within the 2 s grace$/,
      ),
    );
    expect(h.sim.stats()).toMatchObject({ creates: 1, create_requests: 1 });
  });

  it('a generation answered completed without a video fails video_missing and keeps its charge (not generation_failed)', async () => {
    h = await startHarness({
      sim: { generationMs: 200, createFaults: { no_video: 1 }, costOn: 'completed' },
    });
    const job = await h.add();
    const done = await h.finished(job);
    const data = (await h.job(job.id!)).data;
    expect(done.state === 'failed' && done.failedReason).toBe(
      `video_missing: the provider reported status "completed" for generation ${data.generationId} but gave no video URL`,
    );
    // The charge the completed answer reported is kept with the generation id, so batches and caps count it.
    expect(data.costUsd).toBeGreaterThan(0);
    expect(h.sim.stats()).toMatchObject({ creates: 1, create_requests: 1 });
  });

  it('pending spellings waiting/processing and made-up statuses keep the job checking until it completes; an unknown spelling is warned about once', async () => {
    h = await startHarness({
      sim: {
        generationMs: 1_000,
        pendingSpellings: ['waiting', 'processing'],
        unknownStatusRate: 0.5,
        seed: 3,
      },
      // Every check's status is read from the job logs.
      env: { WORKER_CONCURRENCY: '4', JOB_LOG: 'all' },
    });
    const jobs = await Promise.all([h.add(), h.add(), h.add()]);
    const done = await Promise.all(jobs.map((j) => h!.finished(j)));
    expect(done.map((d) => d.state)).toEqual(['completed', 'completed', 'completed']);
    const seen = (await Promise.all(jobs.map((j) => checkedStatuses(h!.queue, j.id!)))).flat();
    const unknown = seen.filter((s) => ['rendering', 'uploading', 'moderating'].includes(s));
    expect(unknown.length).toBeGreaterThan(0);
    expect(seen).toEqual(expect.arrayContaining(['completed']));
    expect(seen.some((s) => s === 'waiting' || s === 'processing')).toBe(true);
    const warned = h.sink.lines.filter((l) =>
      String(l.msg).startsWith('the provider answered a status this worker does not know'),
    );
    // Once per spelling in this process, however many checks saw it.
    expect(warned.map((l) => l.status).sort()).toEqual([...new Set(unknown)].sort());
    expect(warned.length).toBeLessThan(unknown.length + 1);
  });

  it('a generation that only ever answers unknown statuses fails at the deadline, naming the last one', async () => {
    h = await startHarness({
      sim: { generationMs: 60_000, unknownStatusRate: 1 },
      env: { GENERATION_DEADLINE_MS: '1500' },
    });
    const done = await h.finished(await h.add());
    expect(done.state === 'failed' && done.failedReason).toMatch(
      /^deadline_exceeded: generation \S+ did not finish within 2 s \(last status: (rendering|uploading|moderating)\)$/,
    );
  });

  for (const costOn of ['create', 'completed', 'both'] as const) {
    it(`reads the charge once wherever it is reported (costOn ${costOn}) into the result and the metrics`, async () => {
      h = await startHarness({ sim: { generationMs: 200, costOn } });
      const jobs = [await h.add({ input: { duration: 10 } as never }), await h.add()];
      const done = await Promise.all(jobs.map((j) => h!.finished(j)));
      expect(done.map((d) => d.state === 'completed' && [d.result.costUsd, d.result.creditsUsed])).toEqual([
        [0.2, 400_000],
        [0.1, 200_000],
      ]);
      const first = (await h.job(jobs[1]!.id!)).data;
      if (costOn !== 'completed') expect(first).toMatchObject({ costUsd: 0.1, creditsUsed: 200_000 });
      await h.running!.flushMetrics();
      const { events } = await readMetrics(h.redis, h.config.QUEUE_PREFIX);
      expect(events.cost_usd).toBeCloseTo(0.3, 9);
      expect(events.credits).toBe(600_000);
    });
  }

  it('a failed generation carries no cost, although the create answer quoted one', async () => {
    h = await startHarness({ sim: { generationMs: 200, costOn: 'create', createFaults: { fail: 1 } } });
    const job = await h.add();
    const done = await h.finished(job);
    expect(done.state === 'failed' && done.failedReason).toMatch(/^generation_failed: /);
    await h.running!.flushMetrics();
    const { events } = await readMetrics(h.redis, h.config.QUEUE_PREFIX);
    expect(events.cost_usd ?? 0).toBe(0);
  });

  it('a num_inference_steps the docs do not bound goes through; the provider answers, not us', async () => {
    h = await startHarness({ sim: { generationMs: 200 } });
    const done = await h.finished(await h.add({ input: { num_inference_steps: 0 } as never }));
    expect(done.state).toBe('completed');
  });
});
