import { afterEach, describe, expect, it } from 'vitest';
import { createAimlApiClient } from '@vidqueue/aimlapi';
import { vidqKeys } from '@vidqueue/core/contract';
import { readMetrics } from '@vidqueue/core/runtime';
import { PROVIDER_KEY, requestIdOf, startHarness, type Harness } from './harness.js';

/**
 * UNKNOWN_OUTCOME_POLICY=reconcile (the default): a create whose outcome is unknown is looked up in the
 * simulator's usage logs (GET /v2/logs) over real HTTP, never resent without proof.
 */
describe('unknown outcomes reconciled with the usage logs', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function logLines(jobId: string): Promise<string[]> {
    return (await h!.queue.getJobLogs(jobId)).logs;
  }

  for (const fault of [
    'created_then_502',
    'created_then_504',
    'created_then_524',
    'created_then_408',
    'drop',
  ] as const) {
    it(`${fault}: the generation the provider made is found, adopted and completed once, with its charge`, async () => {
      // Cost only on the create answer, which was lost: the charge comes from the usage-log row once the
      // generation completed (1.5 s: adopted well before that, so its row's cost is read afterwards).
      h = await startHarness({
        sim: { generationMs: 1_500, costOn: 'create', createFaults: { [fault]: 1 } },
      });
      const job = await h.add();
      await expect.poll(() => h!.sim.stats().create_requests, { interval: 10 }).toBe(1);
      h.sim.configure({ createFaults: { [fault]: 0 } });

      const done = await h.finished(job);
      expect(done.state).toBe('completed');
      expect(done.state === 'completed' && done.result).toMatchObject({
        recovered: true,
        costUsd: 0.1,
        creditsUsed: 200_000,
      });
      expect(done.state === 'completed' && done.result.possibleDuplicate).toBeUndefined();
      expect(h.sim.stats()).toMatchObject({ create_requests: 1, creates: 1, duplicate_creates: 0 });
      const data = (await h.job(job.id!)).data;
      expect(data).toMatchObject({ recovered: true, recoveredFrom: 'succeeded', step: 'checking' });
      const logs = await logLines(job.id!);
      expect(logs[0]).toMatch(/^create outcome unknown \(/);
      expect(logs).toContainEqual(
        expect.stringMatching(
          new RegExp(`^recovered from the usage logs: ${job.id}-1-[0-9a-f]{8} is generation `),
        ),
      );
      expect(logs).toContainEqual('cost from the usage logs: 0.1 USD / 200000 credits');
      await h.running!.flushMetrics();
      const metrics = await readMetrics(h.redis, h.config.QUEUE_PREFIX);
      expect(metrics.events).toMatchObject({ 'reconciled:recovered': 1, cost_usd: 0.1, credits: 200_000 });
      expect(metrics.calls).toContainEqual({
        kind: 'logs',
        status: '200',
        count: expect.any(Number) as number,
      });
    });
  }

  it('finds the row of a renamed model (rows carry its new id, the job the old one): adopted, not created twice', async () => {
    // The provider renamed the model after the job was queued: its catalogue lists the new id with the old
    // one as an alias, and usage-log rows carry the new id. The lookup filters on every name of the model.
    const renamed = { 'sber-ai/kandinsky5-distill-t2v': 'sber-ai/kandinsky-5-video-lite-distill' };
    h = await startHarness({
      sim: {
        generationMs: 1_500,
        costOn: 'create',
        createFaults: { created_then_504: 1 },
        renamedModels: renamed,
      },
    });
    const job = await h.add();
    await expect.poll(() => h!.sim.stats().create_requests, { interval: 10 }).toBe(1);
    h.sim.configure({ createFaults: { created_then_504: 0 } });
    const done = await h.finished(job);
    expect(done.state).toBe('completed');
    expect(done.state === 'completed' && done.result).toMatchObject({ recovered: true, costUsd: 0.1 });
    expect(h.sim.stats()).toMatchObject({ create_requests: 1, creates: 1, duplicate_creates: 0 });
  });

  it('keeps looking while the usage logs lag behind (SIM_LOGS_DELAY_MS), then adopts', async () => {
    h = await startHarness({
      sim: { generationMs: 200, logsDelayMs: 1_000, createFaults: { created_then_502: 1 } },
      env: { RECONCILE_HORIZON_MS: '5000' },
    });
    const job = await h.add();
    await expect.poll(() => h!.sim.stats().create_requests, { interval: 10 }).toBe(1);
    h.sim.configure({ createFaults: { created_then_502: 0 } });
    const done = await h.finished(job);
    expect(done.state === 'completed' && done.result.recovered).toBe(true);
    expect(h.sim.stats()).toMatchObject({ creates: 1, create_requests: 1 });
    expect(await logLines(job.id!)).toContainEqual(
      expect.stringMatching(/^lookup 1: .* not in the usage logs yet; again in \d+ ms$/),
    );
  });

  it('finds a generation whose row appears only once it finished (SIM_LOGS_ROW_AT=completed)', async () => {
    h = await startHarness({
      sim: { generationMs: 800, logsRowAt: 'completed', createFaults: { drop: 1 } },
      env: { RECONCILE_HORIZON_MS: '5000' },
    });
    const job = await h.add();
    await expect.poll(() => h!.sim.stats().create_requests, { interval: 10 }).toBe(1);
    h.sim.configure({ createFaults: { drop: 0 } });
    const done = await h.finished(job);
    expect(done.state === 'completed' && done.result).toMatchObject({ recovered: true, costUsd: 0.1 });
    expect(h.sim.stats()).toMatchObject({ creates: 1, create_requests: 1 });
  });

  it('a create that never left (crash before sending) is not in the logs: after the horizon it is created again, unflagged', async () => {
    h = await startHarness({ sim: { generationMs: 200 } });
    const sentAt = Date.now();
    const job = await h.add(
      { step: 'submitting', submitStartedAt: sentAt, clientRequestId: 'vid_neverSent-1-00000000' },
      { jobId: 'vid_neverSent' },
    );
    const done = await h.finished(job);
    expect(done.state).toBe('completed');
    expect(done.state === 'completed' && done.result.possibleDuplicate).toBeUndefined();
    expect(done.state === 'completed' && done.result.recovered).toBeUndefined();
    // Not before the horizon: the logs had their time to show it.
    expect((await h.job(job.id!)).data.submitStartedAt! - sentAt).toBeGreaterThanOrEqual(2_000);
    expect(h.sim.stats()).toMatchObject({ create_requests: 1, creates: 1, duplicate_creates: 0 });
    expect((await h.job(job.id!)).data.clientRequestId).toEqual(requestIdOf('vid_neverSent', 2));
    expect(await logLines(job.id!)).toContainEqual(
      expect.stringMatching(
        /^proven not created \(vid_neverSent-1-00000000 is not in the usage logs \d+ s after it was sent \(\d+ lookups\)\): creating again$/,
      ),
    );
    await h.running!.flushMetrics();
    expect((await readMetrics(h.redis, h.config.QUEUE_PREFIX)).events).toMatchObject({
      'reconciled:not_created': 1,
    });
  });

  it('a job created again at once after the proof keeps its lock through a create longer than the lock', async () => {
    // Each job's next run comes right after the run that proved nothing was made. BullMQ tracks a job's
    // lock by its id, so a next run taken by another (idle) slot before the proving run had let go
    // lost its lock renewal: a 1.5 s create under a 0.5 s lock then ended in "Missing lock".
    h = await startHarness({
      worker: false,
      sim: { generationMs: 200, createFaults: { slow: 1 }, slowMs: 1_500 },
      env: { WORKER_CONCURRENCY: '8' },
    });
    await h.startWorker({ lockDuration: 500, stalledInterval: 60_000 });
    const jobs = await Promise.all(
      [1, 2, 3, 4].map((n) =>
        h!.add(
          { step: 'submitting', submitStartedAt: Date.now(), clientRequestId: `vid_lock${n}-1-00000000` },
          { jobId: `vid_lock${n}` },
        ),
      ),
    );
    const done = await Promise.all(jobs.map((job) => h!.finished(job)));
    expect(done.map((d) => d.state)).toEqual(['completed', 'completed', 'completed', 'completed']);
    expect(h.sim.stats()).toMatchObject({ creates: 4, duplicate_creates: 0 });
    expect(h.sink.text()).not.toContain('Missing lock');
  });

  it('lookups in the same window share passes: fewer usage-log calls than lookups, every job still proven and created once', async () => {
    h = await startHarness({ sim: { generationMs: 200 }, env: { WORKER_CONCURRENCY: '8' } });
    const sentAt = Date.now();
    const jobs = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        h!.add(
          { step: 'submitting', submitStartedAt: sentAt, clientRequestId: `vid_shared${i}-1-00000000` },
          { jobId: `vid_shared${i}` },
        ),
      ),
    );
    const done = await Promise.all(jobs.map((j) => h!.finished(j)));
    expect(done.map((d) => d.state)).toEqual(Array.from({ length: 8 }, () => 'completed'));
    expect(h.sim.stats()).toMatchObject({ creates: 8, duplicate_creates: 0 });
    const logs = (await Promise.all(jobs.map((j) => logLines(j.id!)))).flat();
    const lookups = logs.filter((l) => /^lookup \d+: /.test(l) || l.startsWith('proven not created')).length;
    expect(logs.some((l) => l.includes("(another job's pass)"))).toBe(true);
    await h.running!.flushMetrics();
    const { calls } = await readMetrics(h.redis, h.config.QUEUE_PREFIX);
    const logsCalls = calls.filter((c) => c.kind === 'logs').reduce((n, c) => n + c.count, 0);
    expect(logsCalls).toBeGreaterThan(0);
    expect(logsCalls).toBeLessThan(lookups);
  });

  it('with RECONCILE_NOT_FOUND=fail, an attempt the logs prove absent fails submission_unknown and is not sent', async () => {
    h = await startHarness({ env: { RECONCILE_NOT_FOUND: 'fail' } });
    const job = await h.add({
      step: 'submitting',
      submitStartedAt: Date.now(),
      clientRequestId: 'vid_absent-1-00000000',
    });
    const done = await h.finished(job);
    expect(done.state === 'failed' && done.failedReason).toMatch(
      /^submission_unknown: create vid_absent-1-00000000: nothing was created \(.*\); RECONCILE_NOT_FOUND=fail, so it is not sent again$/,
    );
    expect(h.sim.stats()).toMatchObject({ create_requests: 0, creates: 0 });
  });

  it('a failed row with zero cost (a refused create) is adopted and checked: a 404 past the grace proves nothing was made', async () => {
    h = await startHarness({ sim: { generationMs: 200, createFaults: { rate_limit: 1 } } });
    // The attempt reached the provider and was refused (a failed usage-log row), but its answer was lost.
    const client = createAimlApiClient({ apiKey: PROVIDER_KEY, baseUrl: h.sim.url });
    const crid = 'vid_refused-1-00000000';
    await expect(
      client.create(
        { model: 'sber-ai/kandinsky5-distill-t2v', prompt: 'refused' },
        { clientRequestId: crid },
      ),
    ).rejects.toMatchObject({ status: 429 });
    h.sim.configure({ createFaults: { rate_limit: 0 } });
    h.sim.reset();
    const job = await h.add(
      { step: 'submitting', submitStartedAt: Date.now(), clientRequestId: crid },
      { jobId: 'vid_refused' },
    );
    const done = await h.finished(job);
    expect(done.state).toBe('completed');
    expect(done.state === 'completed' && done.result.recovered).toBeUndefined();
    expect(h.sim.stats()).toMatchObject({ create_requests: 1, creates: 1, duplicate_creates: 0 });
    const logs = await logLines(job.id!);
    expect(logs).toContainEqual(
      expect.stringMatching(
        /^recovered from the usage logs: vid_refused-1-00000000 is generation .* \(row failed\)$/,
      ),
    );
    expect(logs).toContainEqual(expect.stringMatching(/^check \d+: not found \(404\)/));
    expect(logs).toContainEqual(expect.stringMatching(/^proven not created \(its usage-log row says failed/));
  });

  it('usage logs refusing the key: backs off until the horizon, then submission_unknown, never resent', async () => {
    h = await startHarness({ sim: { createFaults: { created_then_502: 1 } } });
    const job = await h.add();
    await expect.poll(() => h!.sim.stats().create_requests, { interval: 10 }).toBe(1);
    h.sim.configure({ createFaults: { created_then_502: 0 }, apiKeys: ['another-key'] });
    const done = await h.finished(job);
    expect(done.state === 'failed' && done.failedReason).toMatch(
      /^submission_unknown: create .*: outcome unknown \(.*502.*\) and the usage logs could not be read \(\d+ failed lookups, last: 401 .*\); not sent again, so it is never paid twice$/,
    );
    expect(h.sim.stats()).toMatchObject({ create_requests: 1, creates: 1 });
    expect(
      h.sink.lines.some(
        (l) => l.msg === 'usage-log lookup failed; will look again (nothing resent)' && l.level === 50,
      ),
    ).toBe(true);
  });

  it('usage logs answering 429: every worker backs off the logs, the job keeps waiting, nothing is resent', async () => {
    h = await startHarness({ sim: { createFaults: { created_then_502: 1 } } });
    // Spend the key's 200 log requests a minute first.
    const client = createAimlApiClient({ apiKey: PROVIDER_KEY, baseUrl: h.sim.url });
    for (let i = 0; i < 200; i += 1) await client.logs({ period: '1h' });
    const job = await h.add();
    await expect
      .poll(
        async () => (await logLines(job.id!)).some((l) => l.startsWith('usage-log lookup failed (429)')),
        {
          interval: 20,
          timeout: 5_000,
        },
      )
      .toBe(true);
    expect(await h.redis.pttl(vidqKeys(h.config.QUEUE_PREFIX).backoff('logs'))).toBeGreaterThan(1_000);
    // The log line is written during the run; the job is moved to delayed as the run ends.
    await expect.poll(() => h!.queue.getJobState(job.id!), { interval: 20 }).toBe('delayed');
    expect((await h.job(job.id!)).data.step).toBe('reconciling');
    expect(h.sim.stats()).toMatchObject({ create_requests: 1, creates: 1 });
  });
});

describe('job data written before this change', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('still runs: a pending job with only its input, and a checking job without cost or recovery fields', async () => {
    h = await startHarness({ sim: { generationMs: 200 } });
    const bare = await h.queue.add(
      'generate',
      { input: { model: 'sber-ai/kandinsky5-distill-t2v', prompt: 'old producer' } } as never,
      { jobId: 'vid_oldPending' },
    );
    const client = createAimlApiClient({ apiKey: PROVIDER_KEY, baseUrl: h.sim.url });
    const created = await client.create({ model: 'sber-ai/kandinsky5-distill-t2v', prompt: 'old worker' });
    const now = Date.now();
    // Exactly the shape the previous worker saved (old client request id format, no new fields).
    const checking = await h.queue.add(
      'generate',
      {
        input: { model: 'sber-ai/kandinsky5-distill-t2v', prompt: 'old worker' },
        step: 'checking',
        clientRequestId: 'vid_oldChecking-1',
        generationId: created.id,
        submitStartedAt: now,
        submittedAt: now,
        deadline: now + 20_000,
        polls: 1,
        retries: 0,
        lastStatus: 'queued',
      } as never,
      { jobId: 'vid_oldChecking' },
    );
    const [a, b] = await Promise.all([h.finished(bare), h.finished(checking)]);
    expect(a.state).toBe('completed');
    expect(b.state === 'completed' && b.result).toMatchObject({ generationId: created.id, costUsd: 0.1 });
    expect(h.sim.stats()).toMatchObject({ creates: 2, duplicate_creates: 0 });
  });

  it('a job an old worker left in submitting (old request id format) is reconciled too', async () => {
    h = await startHarness({ sim: { generationMs: 200 } });
    const client = createAimlApiClient({ apiKey: PROVIDER_KEY, baseUrl: h.sim.url });
    const sentAt = Date.now();
    await client.create(
      { model: 'sber-ai/kandinsky5-distill-t2v', prompt: 'stranded' },
      { clientRequestId: 'vid_oldSubmitting-1' },
    );
    const job = await h.queue.add(
      'generate',
      {
        input: { model: 'sber-ai/kandinsky5-distill-t2v', prompt: 'stranded' },
        step: 'submitting',
        clientRequestId: 'vid_oldSubmitting-1',
        submitStartedAt: sentAt,
        polls: 0,
        retries: 0,
      } as never,
      { jobId: 'vid_oldSubmitting' },
    );
    const done = await h.finished(job);
    expect(done.state === 'completed' && done.result.recovered).toBe(true);
    expect(h.sim.stats()).toMatchObject({ creates: 1, duplicate_creates: 0 });
  });
});
