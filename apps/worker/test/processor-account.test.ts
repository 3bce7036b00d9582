import { afterEach, describe, expect, it } from 'vitest';
import { vidqKeys, type GenerationJobData } from '@vidqueue/core/contract';
import { createAccountPause } from '../src/index.js';
import { PROVIDER_KEY, startHarness, type Harness } from './harness.js';

describe('account problems, cancellation and bad jobs', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('401 pauses submissions for everyone: jobs kept in delayed, others not submitted, resumed when fixed', async () => {
    h = await startHarness({
      sim: { generationMs: 200, apiKeys: ['a-different-key'] },
      env: { WORKER_CONCURRENCY: '1' },
    });
    const jobs = await Promise.all([h.add(), h.add(), h.add()]);

    await expect.poll(() => h!.queue.getDelayedCount(), { interval: 20 }).toBe(3);
    expect(await h.queue.getFailedCount()).toBe(0);
    // One create reached the provider and was refused; the two others never tried.
    expect(h.sim.stats()).toMatchObject({ create_requests: 0, creates: 0, rejected: { unauthorized: 1 } });

    const key = vidqKeys(h.config.QUEUE_PREFIX).accountPause;
    expect(await h.redis.hgetall(key)).toMatchObject({
      reason: 'Unauthorized: invalid API key',
      status: '401',
      since: expect.stringMatching(/^\d{13}$/) as string,
    });
    expect(await h.redis.pttl(key)).toBeGreaterThan(50_000);
    const loud = h.sink.lines.find(
      (l) => l.level === 50 && String(l.msg).startsWith('PROVIDER ACCOUNT PROBLEM'),
    );
    expect(loud).toMatchObject({ status: 401, providerMessage: 'Unauthorized: invalid API key' });
    // Nothing is left half-submitted: one job tried and went back to pending, the others never started.
    const data = await Promise.all(jobs.map(async (job) => (await h!.job(job.id!)).data));
    expect(data.map((d) => d.step ?? 'pending')).toEqual(['pending', 'pending', 'pending']);
    expect(data.filter((d) => d.clientRequestId !== undefined)).toHaveLength(1);

    // An operator fixes the key and lifts the pause: every job goes through, each created once.
    h.sim.configure({ apiKeys: [PROVIDER_KEY] });
    await createAccountPause(h.redis, h.config.QUEUE_PREFIX, h.config.ACCOUNT_PAUSE_MS).clear();
    for (const job of jobs) await (await h.job(job.id!)).promote();
    const outcomes = await Promise.all(jobs.map((job) => h!.finished(job)));
    expect(outcomes.map((o) => o.state)).toEqual(['completed', 'completed', 'completed']);
    expect(h.sim.stats()).toMatchObject({ creates: 3, duplicate_creates: 0 });
  });

  it('403 (out of credits) pauses, keeps the job, and it resumes by itself once the pause lapses', async () => {
    h = await startHarness({
      sim: { generationMs: 200, createFaults: { out_of_credits: 1 } },
      env: { ACCOUNT_PAUSE_MS: '300' },
    });
    const job = await h.add();
    await expect.poll(() => h!.queue.getJobState(job.id!), { interval: 10 }).toBe('delayed');
    expect(h.sim.stats().faults.out_of_credits).toBeGreaterThanOrEqual(1);
    expect(await h.redis.hgetall(vidqKeys(h.config.QUEUE_PREFIX).accountPause)).toMatchObject({
      status: '403',
      reason: expect.stringContaining('run out of credits') as string,
    });
    expect(await h.queue.getFailedCount()).toBe(0);

    h.sim.configure({ createFaults: { out_of_credits: 0 } });
    const done = await h.finished(job);
    expect(done.state).toBe('completed');
    expect(h.sim.stats().creates).toBe(1);
  });

  it("a 403 naming the model (not in the plan) fails only that model's jobs, with one call, and pauses nothing", async () => {
    const REFUSED = 'sber-ai/kandinsky5-t2v';
    h = await startHarness({
      sim: { generationMs: 200, forbiddenModels: [REFUSED] },
      env: { WORKER_CONCURRENCY: '1' },
    });
    const refused = await h.add({ input: { model: REFUSED } as never });
    const first = await h.finished(refused);
    expect(first.state === 'failed' && first.failedReason).toBe(
      `model_not_allowed: the provider refused model ${REFUSED} for this account: Model ${REFUSED} is not available for your account's plan (tier). Upgrade your plan or use another model.`,
    );
    // Its block spares the next jobs of that model a call each; other models run.
    const more = await Promise.all([1, 2, 3].map(() => h!.add({ input: { model: REFUSED } as never })));
    const others = await Promise.all([h.add(), h.add()]);
    const outcomes = await Promise.all([...more, ...others].map((j) => h!.finished(j)));
    for (const o of outcomes.slice(0, 3)) {
      expect(o.state === 'failed' && o.failedReason).toMatch(
        new RegExp(
          `^model_not_allowed: the provider refused model ${REFUSED} for this account \\(no call made; the refusal is trusted for \\d+ s more\\): Model ${REFUSED} is not available`,
        ),
      );
    }
    expect(outcomes.slice(3).map((o) => o.state)).toEqual(['completed', 'completed']);
    expect(h.sim.stats()).toMatchObject({ rejected: { forbidden_model: 1 }, creates: 2 });
    expect(await h.redis.exists(vidqKeys(h.config.QUEUE_PREFIX).accountPause)).toBe(0);
    expect(h.sink.lines.some((l) => String(l.msg).startsWith('PROVIDER ACCOUNT PROBLEM'))).toBe(false);
  });

  it('with MODEL_BLOCK_MS=0 every job of the refused model asks the provider itself', async () => {
    const REFUSED = 'sber-ai/kandinsky5-t2v';
    h = await startHarness({ sim: { forbiddenModels: [REFUSED] }, env: { MODEL_BLOCK_MS: '0' } });
    const outcomes = await Promise.all(
      [1, 2].map(async () => h!.finished(await h!.add({ input: { model: REFUSED } as never }))),
    );
    expect(outcomes.map((o) => o.state === 'failed' && o.failedReason.split(':')[0])).toEqual([
      'model_not_allowed',
      'model_not_allowed',
    ]);
    expect(h.sim.stats().rejected.forbidden_model).toBe(2);
  });

  it('an account error on a status check keeps checking and pauses nothing', async () => {
    h = await startHarness({ sim: { generationMs: 300 } });
    const job = await h.add();
    await expect.poll(async () => (await h!.job(job.id!)).data.step, { interval: 10 }).toBe('checking');
    h.sim.configure({ apiKeys: ['rotated-key'] });
    await expect.poll(() => h!.sim.stats().rejected.unauthorized, { interval: 20 }).toBeGreaterThanOrEqual(2);
    expect(await h.redis.exists(vidqKeys(h.config.QUEUE_PREFIX).accountPause)).toBe(0);

    h.sim.configure({ apiKeys: [] });
    expect((await h.finished(job)).state).toBe('completed');
    expect(h.sim.stats().creates).toBe(1);
  });

  it('a cancel key fails the job as cancelled before it is submitted', async () => {
    h = await startHarness({ worker: false });
    const job = await h.add();
    await h.redis.set(vidqKeys(h.config.QUEUE_PREFIX).cancel(job.id!), '1');
    await h.startWorker();
    expect(await h.finished(job)).toEqual({
      state: 'failed',
      failedReason: 'cancelled: cancelled by request',
    });
    expect(h.sim.stats().create_requests).toBe(0);
  });

  it('a cancel key stops a job between status checks', async () => {
    h = await startHarness({ sim: { generationMs: 5_000 } });
    const job = await h.add();
    await expect.poll(async () => (await h!.job(job.id!)).data.step, { interval: 10 }).toBe('checking');
    await h.redis.set(vidqKeys(h.config.QUEUE_PREFIX).cancel(job.id!), '1');
    expect(await h.finished(job)).toEqual({
      state: 'failed',
      failedReason: 'cancelled: cancelled by request',
    });
    expect(h.sim.stats().creates).toBe(1);
  });

  it('job data that does not match the schema fails with invalid_job, naming the fields', async () => {
    h = await startHarness();
    const job = await h.queue.add('generate', { input: { prompt: '' } } as unknown as GenerationJobData, {
      jobId: 'vid_bad',
    });
    const done = await h.finished(job);
    expect(done.state).toBe('failed');
    expect(done.state === 'failed' && done.failedReason).toMatch(
      /^invalid_job: input\.model: .*; input\.prompt: /,
    );
    expect(h.sim.stats().create_requests).toBe(0);
  });
});
