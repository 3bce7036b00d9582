import { afterEach, describe, expect, it } from 'vitest';
import { GenerationResultSchema } from '@vidqueue/core/contract';
import { checkedStatuses, requestIdOf, startHarness, type Harness } from './harness.js';

describe('a generation from prompt to video', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('goes pending → checking → completed, waiting in the delayed set between checks', async () => {
    h = await startHarness({ sim: { generationMs: 800 } });
    const job = await h.add({ customId: 'fox-1', batchId: 'b1' });

    // Submitted: the generation id is persisted and the job waits in `delayed`, holding no slot.
    await expect.poll(async () => (await h!.job(job.id!)).data.step, { interval: 20 }).toBe('checking');
    await expect.poll(() => h!.queue.getJobState(job.id!), { interval: 20 }).toBe('delayed');
    const submitted = (await h.job(job.id!)).data;
    expect(submitted.generationId).toMatch(/^[0-9a-f-]{36}:sber-ai\/kandinsky5-distill-t2v$/);
    expect(submitted.clientRequestId).toEqual(requestIdOf(job.id!, 1));
    expect(submitted.deadline).toBe(submitted.submittedAt! + h.config.GENERATION_DEADLINE_MS);

    const done = await h.finished(job);
    expect(done.state).toBe('completed');
    if (done.state !== 'completed') return;
    const result = GenerationResultSchema.parse(done.result);
    expect(result).toMatchObject({
      generationId: submitted.generationId,
      model: 'sber-ai/kandinsky5-distill-t2v',
      costUsd: 0.1,
      creditsUsed: 200_000,
      contentType: 'video/mp4',
    });
    expect(result.videoUrl).toMatch(new RegExp(`^${h.sim.url}/files/[A-Za-z0-9_-]{21}_output\\.mp4$`));
    expect(result.fileSize).toBeGreaterThan(0);
    expect(result.polls).toBeGreaterThanOrEqual(2);
    expect(result.submittedAt).toBe(submitted.submittedAt);
    expect(result.completedAt).toBeGreaterThan(result.submittedAt + 600);
    expect(result.possibleDuplicate).toBeUndefined();

    expect(h.sim.stats()).toMatchObject({ creates: 1, create_requests: 1, status_checks: result.polls });
    // Routine progress is in the data, not in the job's log (JOB_LOG=events): a normal job keeps no log
    // list. The check that saw the video ready wrote nothing more: the result is its record.
    expect((await h.queue.getJobLogs(job.id!)).logs).toEqual([]);
    expect(await h.redis.exists(`${h.config.QUEUE_PREFIX}:generations:${job.id!}:logs`)).toBe(0);
    const kept = (await h.job(job.id!)).data;
    expect(kept).toMatchObject({
      step: 'checking',
      generationId: submitted.generationId,
      polls: result.polls - 1,
    });
    expect(kept.lastStatus).not.toBe('completed');

    // One line per job milestone at info, with the job's context; the prompt only at debug.
    const lines = h.sink.lines.filter((l) => l.jobId === job.id);
    expect(lines.find((l) => l.msg === 'submitted')).toMatchObject({
      level: 30,
      batchId: 'b1',
      generationId: submitted.generationId,
    });
    expect(lines.find((l) => l.msg === 'completed')).toMatchObject({ level: 30, polls: result.polls });
    const prompt = (await h.job(job.id!)).data.input.prompt;
    for (const line of h.sink.lines.filter((l) => (l.level as number) >= 30)) {
      expect(JSON.stringify(line)).not.toContain(prompt);
    }
  });

  it('with JOB_LOG=all writes each routine step to the job log: the submission, then every check', async () => {
    h = await startHarness({ sim: { generationMs: 800 }, env: { JOB_LOG: 'all' } });
    const job = await h.add();
    const done = await h.finished(job);
    if (done.state !== 'completed') throw new Error(`not completed: ${JSON.stringify(done)}`);
    const { logs } = await h.queue.getJobLogs(job.id!);
    expect(logs[0]).toMatch(
      /^submitted: generation [0-9a-f-]{36}:\S+ \(\w+\), cost 0\.1 USD \/ 200000 credits$/,
    );
    const statuses = await checkedStatuses(h.queue, job.id!);
    expect(logs).toHaveLength(1 + done.result.polls);
    expect(statuses).toHaveLength(done.result.polls);
    expect(statuses.at(-1)).toBe('completed');
    // The last check is written with its line.
    expect((await h.job(job.id!)).data).toMatchObject({ polls: done.result.polls, lastStatus: 'completed' });
  });

  it('follows many generations with one slot: jobs between checks are delayed, none active', async () => {
    h = await startHarness({ sim: { generationMs: 1_500 }, env: { WORKER_CONCURRENCY: '1' } });
    const jobs = await Promise.all(Array.from({ length: 5 }, () => h!.add()));

    // All five are at the provider at once although the worker runs one job at a time.
    await expect.poll(() => h!.sim.stats().in_flight, { interval: 20 }).toBe(5);
    await expect
      .poll(async () => [await h!.queue.getDelayedCount(), await h!.queue.getActiveCount()], { interval: 5 })
      .toEqual([5, 0]);

    const outcomes = await Promise.all(jobs.map((job) => h!.finished(job)));
    expect(outcomes.map((o) => o.state)).toEqual(Array(5).fill('completed'));
    expect(h.sim.stats()).toMatchObject({ creates: 5, duplicate_creates: 0 });
  });

  it('understands every status spelling: queued/generating/completed and the legacy ones', async () => {
    // Every check's status is read from the job logs: JOB_LOG=all. The pending words are set one at a
    // time on a generation that takes a minute, and each is waited for until a check has seen it, so no
    // phase can pass between two checks, however slow the machine.
    h = await startHarness({ sim: { generationMs: 60_000 }, env: { JOB_LOG: 'all' } });
    const harness = h;
    const walk = async (legacy: boolean, words: string[]): Promise<string> => {
      harness.sim.configure({ legacy, pendingSpellings: [words[0]!] });
      const job = await harness.add();
      for (const word of words) {
        harness.sim.configure({ pendingSpellings: [word] });
        await expect
          .poll(() => checkedStatuses(harness.queue, job.id!), { interval: 20, timeout: 15_000 })
          .toContain(word);
      }
      return job.id!;
    };
    const pending = [
      await walk(false, ['queued', 'generating']),
      await walk(true, ['waiting', 'active', 'processing']),
    ];
    // Still pending for the worker: neither has settled on any of those words. A check may be running
    // (active) at this instant; between checks the job waits in delayed.
    for (const id of pending) {
      await expect.poll(() => harness.queue.getJobState(id), { interval: 20 }).toBe('delayed');
    }

    h.sim.configure({ legacy: false, pendingSpellings: [], generationMs: 150 });
    const modern = await h.finished(await h.add());
    h.sim.configure({ legacy: true });
    const legacy = await h.finished(await h.add());
    expect([modern.state, legacy.state]).toEqual(['completed', 'completed']);

    h.sim.configure({ legacy: false, createFaults: { fail: 1 } });
    const failed = await h.finished(await h.add());
    h.sim.configure({ legacy: true });
    const legacyFailed = await h.finished(await h.add());
    expect([failed.state, legacyFailed.state]).toEqual(['failed', 'failed']);

    const seen = new Set<string>();
    const settled = (await h.queue.getJobs(['completed', 'failed'])).map((j) => j.id!);
    expect(settled).toHaveLength(4);
    for (const id of [...pending, ...settled]) {
      for (const status of await checkedStatuses(h.queue, id)) seen.add(status);
    }
    expect([...seen].sort()).toEqual(
      [
        'active',
        'completed',
        'error',
        'failed',
        'generating',
        'processing',
        'queued',
        'succeeded',
        'waiting',
      ].sort(),
    );
  });
});
