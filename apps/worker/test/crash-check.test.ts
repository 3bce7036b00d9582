import { afterEach, describe, expect, it } from 'vitest';
import type { Child } from '@vidqueue/testkit';
import { FAST_ENV, spawnWorkerProcess, startHarness, type Harness } from './harness.js';

const CRASH_WORKER = new URL('./fixtures/crash-worker.ts', import.meta.url);
const MAIN = new URL('../src/main.ts', import.meta.url);

describe('a worker process stopped while a status check is in flight', () => {
  let h: Harness | undefined;
  let child: Child | undefined;
  afterEach(async () => {
    await child?.kill();
    await h?.close();
    h = child = undefined;
  });

  function spawnWorker(script: URL, harness: Harness): Child {
    return spawnWorkerProcess(harness, script, { LOG_LEVEL: 'info' });
  }

  /** Adds a job and waits until its first status check is held by the simulator. */
  async function checkInFlight(harness: Harness, worker: Child) {
    await worker.waitForLine('worker ready');
    const job = await harness.add();
    await expect.poll(() => harness.sim.stats().status_checks, { interval: 10, timeout: 5_000 }).toBe(1);
    expect(await harness.queue.getJobState(job.id!)).toBe('active');
    const data = (await harness.job(job.id!)).data;
    expect(data).toMatchObject({ step: 'checking', polls: 0 });
    expect(data.generationId).toEqual(expect.any(String));
    return { job, generationId: data.generationId! };
  }

  it('SIGKILL: another worker continues from `checking` and never creates again', async () => {
    // Status checks take 1 s to answer: the process dies while one is in flight.
    h = await startHarness({
      worker: false,
      sim: { generationMs: 300, statusFaults: { slow: 1 }, slowMs: 1_000 },
    });
    child = spawnWorker(CRASH_WORKER, h);
    const { job, generationId } = await checkInFlight(h, child);
    child.process.kill('SIGKILL');
    expect((await child.exited()).signal).toBe('SIGKILL');

    h.sim.configure({ statusFaults: { slow: 0 } });
    await h.startWorker({ lockDuration: 500, stalledInterval: 300 });
    const done = await h.finished(job);
    expect(done.state).toBe('completed');
    expect(done.state === 'completed' && done.result.generationId).toBe(generationId);
    expect(h.sim.stats()).toMatchObject({ create_requests: 1, creates: 1, duplicate_creates: 0 });
    // The check lost with the killed process, then the new worker's, counted from the saved `polls: 0`.
    expect(done.state === 'completed' && h.sim.stats().status_checks).toBe(
      done.state === 'completed' && done.result.polls + 1,
    );
  });

  it('survives being stalled at two different crashes (BullMQ counts stalls over the whole job)', async () => {
    h = await startHarness({
      worker: false,
      sim: { generationMs: 300, statusFaults: { slow: 1 }, slowMs: 1_000 },
    });
    child = spawnWorker(CRASH_WORKER, h);
    const { job, generationId } = await checkInFlight(h, child);
    child.process.kill('SIGKILL');
    await child.exited();
    // A second worker recovers it, checks again (slow), and dies too.
    child = spawnWorker(CRASH_WORKER, h);
    await expect.poll(() => h!.sim.stats().status_checks, { interval: 10, timeout: 10_000 }).toBe(2);
    child.process.kill('SIGKILL');
    await child.exited();

    h.sim.configure({ statusFaults: { slow: 0 } });
    await h.startWorker({ lockDuration: 500, stalledInterval: 300 });
    const done = await h.finished(job);
    expect(done.state === 'completed' && done.result.generationId).toBe(generationId);
    expect((await h.job(job.id!)).stalledCounter).toBe(2);
    expect(h.sim.stats()).toMatchObject({ create_requests: 1, creates: 1 });
  });

  it('SIGTERM: the check finishes and is saved, the job is handed back delayed, the process exits 0', async () => {
    h = await startHarness({
      worker: false,
      sim: { generationMs: 3_000, statusFaults: { slow: 1 }, slowMs: 1_000 },
    });
    child = spawnWorker(MAIN, h);
    const { job, generationId } = await checkInFlight(h, child);
    const asked = Date.now();
    child.process.kill('SIGTERM');
    expect(await child.exited()).toEqual({ code: 0, signal: null });
    // Well within the grace period (AIMLAPI_TIMEOUT_MS + 10 s): it waited for the one slow answer.
    expect(Date.now() - asked).toBeLessThan(graceMs());
    expect(await h.queue.getJobState(job.id!)).toBe('delayed');
    expect((await h.job(job.id!)).data).toMatchObject({ step: 'checking', polls: 1, generationId });

    h.sim.configure({ statusFaults: { slow: 0 } });
    await h.startWorker();
    expect((await h.finished(job)).state).toBe('completed');
    expect(h.sim.stats()).toMatchObject({ create_requests: 1, creates: 1 });
  });
});

function graceMs(): number {
  return Number(FAST_ENV.AIMLAPI_TIMEOUT_MS) + 10_000;
}
