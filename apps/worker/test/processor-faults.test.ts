import { afterEach, describe, expect, it } from 'vitest';
import { requestIdOf, startHarness, type Harness } from './harness.js';

describe('provider faults', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('a generation that fails at the provider fails the job once, with its message, created once', async () => {
    h = await startHarness({ sim: { generationMs: 200, createFaults: { fail: 1 } } });
    const job = await h.add();
    const done = await h.finished(job);
    expect(done).toEqual({
      state: 'failed',
      failedReason:
        'generation_failed: The model failed to generate the video (simulated failure). The generation was not billed.',
    });
    expect(h.sim.stats()).toMatchObject({ create_requests: 1, creates: 1, failed_generations: 1 });
    // The failing check's status is in the data (its routine log line only with JOB_LOG=all).
    expect((await h.job(job.id!)).data.lastStatus).toBe('error');
    expect(h.sink.lines.filter((l) => l.msg === 'job failed' && l.jobId === job.id)).toHaveLength(1);
  });

  it('retries a 5xx on a status check and completes', async () => {
    h = await startHarness({ sim: { generationMs: 200, statusFaults: { server_error: 1 } } });
    const job = await h.add();
    await expect.poll(() => h!.sim.stats().faults.server_error, { interval: 20 }).toBeGreaterThanOrEqual(2);
    h.sim.configure({ statusFaults: { server_error: 0 } });

    const done = await h.finished(job);
    expect(done.state).toBe('completed');
    expect(h.sim.stats()).toMatchObject({ creates: 1, create_requests: 1 });
    const { logs } = await h.queue.getJobLogs(job.id!);
    expect(logs.filter((l) => l.startsWith('check failed')).length).toBeGreaterThanOrEqual(2);
  });

  it('retries 429 (honouring Retry-After) and 5xx on create, and creates exactly once', async () => {
    h = await startHarness({
      sim: { generationMs: 200, retryAfterSeconds: 1, createFaults: { rate_limit: 1 } },
    });
    const job = await h.add();
    await expect.poll(() => h!.sim.stats().faults.rate_limit, { interval: 20 }).toBe(1);
    await expect
      .poll(async () => (await h!.queue.getJobLogs(job.id!)).logs[0], { interval: 20 })
      .toMatch(/^create refused \(429, not counted as a retry\): attempt 2 in \d+ ms$/);
    const firstWait = Number(/in (\d+) ms/.exec((await h.queue.getJobLogs(job.id!)).logs[0]!)![1]);
    expect(firstWait).toBeGreaterThanOrEqual(1_000);

    h.sim.configure({ retryAfterSeconds: 0 });
    await expect
      .poll(() => h!.sim.stats().faults.rate_limit, { interval: 20, timeout: 5_000 })
      .toBeGreaterThanOrEqual(2);
    h.sim.configure({ createFaults: { rate_limit: 0, server_error: 1 } });
    // A 502 or 504 (half of them) may hide an accepted create: reconciled (its failed usage-log row, then
    // a 404 past the grace), not blindly resent; 500 and 503 are retried at once.
    await expect
      .poll(() => h!.sim.stats().faults.server_error, { interval: 20, timeout: 15_000 })
      .toBeGreaterThanOrEqual(2);
    h.sim.configure({ createFaults: { server_error: 0 } });

    const done = await h.finished(job);
    expect(done.state).toBe('completed');
    const stats = h.sim.stats();
    expect(stats.creates).toBe(1);
    expect(stats.create_requests).toBe(stats.faults.rate_limit + stats.faults.server_error + 1);
    // Every create call carried its own X-Client-Request-Id: <jobId>-<n>.
    expect((await h.job(job.id!)).data.clientRequestId).toEqual(requestIdOf(job.id!, stats.create_requests));
  });

  it('gives up after SUBMIT_MAX_RETRIES transient create errors (500, 503) with retries_exhausted', async () => {
    h = await startHarness({
      sim: { createFaults: { server_error: 1 }, serverErrorStatuses: [500, 503] },
      env: { SUBMIT_MAX_RETRIES: '2' },
    });
    const done = await h.finished(await h.add());
    expect(done.state).toBe('failed');
    expect(done.state === 'failed' && done.failedReason).toMatch(
      /^retries_exhausted: create failed 3 times; last error: /,
    );
    expect(h.sim.stats()).toMatchObject({ create_requests: 3, creates: 0 });
  });

  // The reference: 429 is "back off for everyone", nothing was created. A sustained limit (more prompts
  // than the provider's concurrency) must slow the job down, not fail it after SUBMIT_MAX_RETRIES.
  it('a 429 spends no retry: more 429s than SUBMIT_MAX_RETRIES, then the create goes through once', async () => {
    h = await startHarness({
      sim: { generationMs: 100, createFaults: { rate_limit: 1 }, retryAfterSeconds: 0 },
      env: { SUBMIT_MAX_RETRIES: '1' },
    });
    const job = await h.add();
    await expect
      .poll(() => h!.sim.stats().faults.rate_limit, { interval: 20, timeout: 10_000 })
      .toBeGreaterThanOrEqual(4);
    expect(await h.queue.getJobState(job.id!)).not.toBe('failed');
    h.sim.configure({ createFaults: { rate_limit: 0 } });

    const done = await h.finished(job);
    expect(done.state).toBe('completed');
    const stats = h.sim.stats();
    expect(stats).toMatchObject({ creates: 1, create_requests: stats.faults.rate_limit + 1 });
    const data = (await h.job(job.id!)).data;
    expect(data.rateLimited).toBe(stats.faults.rate_limit);
    expect(data.possibleDuplicate).toBeUndefined();
    // The job log says it at the 1st, 2nd, 4th… 429, not once per attempt.
    const lines = (await h.queue.getJobLogs(job.id!)).logs.filter((l) => l.includes('429'));
    expect(lines.length).toBe(Math.floor(Math.log2(stats.faults.rate_limit)) + 1);
  });

  it('with UNKNOWN_OUTCOME_POLICY=fail, an unknown-outcome create (connection dropped) fails with submission_unknown and is not resubmitted', async () => {
    h = await startHarness({ sim: { createFaults: { drop: 1 } }, env: { UNKNOWN_OUTCOME_POLICY: 'fail' } });
    const job = await h.add();
    const done = await h.finished(job);
    expect(done.state).toBe('failed');
    expect(done.state === 'failed' && done.failedReason).toMatch(
      new RegExp(
        `^submission_unknown: create call ${job.id}-1-[0-9a-f]{8}: no answer came .*not sent again$`,
      ),
    );
    // The provider did create it; we did not ask twice.
    expect(h.sim.stats()).toMatchObject({ create_requests: 1, creates: 1 });
    const data = (await h.job(job.id!)).data;
    expect(data.step).toBe('submitting');
    expect(data.generationId).toBeUndefined();
  });

  it('with UNKNOWN_OUTCOME_POLICY=resubmit, resubmits and flags the result as a possible duplicate', async () => {
    h = await startHarness({
      sim: { generationMs: 200, createFaults: { drop: 1 } },
      env: { UNKNOWN_OUTCOME_POLICY: 'resubmit', SUBMIT_MAX_RETRIES: '100' },
    });
    const job = await h.add();
    await expect.poll(() => h!.sim.stats().faults.drop, { interval: 5 }).toBeGreaterThanOrEqual(1);
    h.sim.configure({ createFaults: { drop: 0 } });

    const done = await h.finished(job);
    expect(done.state).toBe('completed');
    expect(done.state === 'completed' && done.result.possibleDuplicate).toBe(true);
    // Each dropped answer hid a real generation: every resubmission was a (flagged) duplicate.
    const stats = h.sim.stats();
    expect(stats.faults.drop).toBeGreaterThanOrEqual(1);
    expect(stats).toMatchObject({
      create_requests: stats.faults.drop + 1,
      creates: stats.faults.drop + 1,
      duplicate_creates: stats.faults.drop,
    });
  });

  it('with UNKNOWN_OUTCOME_POLICY=fail, a job found in `submitting` without a generation id (crash after sending) fails, with zero creates', async () => {
    h = await startHarness({ env: { UNKNOWN_OUTCOME_POLICY: 'fail' } });
    const job = await h.add({
      step: 'submitting',
      clientRequestId: 'vid_crashed-1',
      submitStartedAt: Date.now(),
    });
    const done = await h.finished(job);
    expect(done).toEqual({
      state: 'failed',
      failedReason:
        'submission_unknown: create call vid_crashed-1: the worker stopped after sending it and before saving the generation id; the provider may have created a generation, so it was not sent again',
    });
    expect(h.sim.stats()).toMatchObject({ create_requests: 0, status_checks: 0 });
  });

  it('fails with deadline_exceeded naming the generation, no later than the deadline', async () => {
    h = await startHarness({
      sim: { generationMs: 10_000, queuedFraction: 0 },
      env: { GENERATION_DEADLINE_MS: '1000' },
    });
    const job = await h.add();
    const done = await h.finished(job);
    const data = (await h.job(job.id!)).data;
    expect(done).toEqual({
      state: 'failed',
      failedReason: `deadline_exceeded: generation ${data.generationId} did not finish within 1 s (last status: generating)`,
    });
    expect(data.polls).toBeGreaterThanOrEqual(3);
    const finishedOn = (await h.job(job.id!)).finishedOn!;
    expect(finishedOn).toBeGreaterThanOrEqual(data.deadline!);
    expect(finishedOn - data.deadline!).toBeLessThan(1_000);
    expect(h.sim.stats().creates).toBe(1);
  });

  it('a generation id the provider keeps not knowing (404) is checked through the grace period, then fails generation_not_found naming it', async () => {
    h = await startHarness();
    const now = Date.now();
    const job = await h.add({
      step: 'checking',
      generationId: 'nope',
      submittedAt: now,
      deadline: now + 10_000,
    });
    const done = await h.finished(job);
    expect(done.state).toBe('failed');
    expect(done.state === 'failed' && done.failedReason).toMatch(
      /^generation_not_found: the provider does not know generation nope \d+ s after submission \(404 past the 2 s grace period\): Generation with id nope was not found$/,
    );
    expect((await h.job(job.id!)).finishedOn! - now).toBeGreaterThanOrEqual(1_500);
    expect(h.sim.stats().status_checks).toBeGreaterThanOrEqual(2);
    expect(h.sim.stats()).toMatchObject({ create_requests: 0, creates: 0 });
  });

  it('a request the provider cannot accept (400) fails with rejected_by_provider and creates nothing', async () => {
    h = await startHarness();
    const done = await h.finished(
      await h.add({ input: { model: 'sber-ai/kandinsky5-distill-t2v', prompt: 'x', duration: 7 } }),
    );
    expect(done.state).toBe('failed');
    expect(done.state === 'failed' && done.failedReason).toMatch(/^rejected_by_provider: .*duration/);
    expect(h.sim.stats().creates).toBe(0);
  });
});
