import { afterEach, describe, expect, it } from 'vitest';
import type { Child } from '@vidqueue/testkit';
import { requestIdOf, spawnWorkerProcess, startHarness, type Harness } from './harness.js';

const CRASH_WORKER = new URL('./fixtures/crash-worker.ts', import.meta.url);

describe('a worker killed between sending a create and saving its answer', () => {
  let h: Harness | undefined;
  let child: Child | undefined;
  afterEach(async () => {
    await child?.kill();
    await h?.close();
    h = child = undefined;
  });

  it('leaves the job in `submitting`; the recovering worker finds the attempt in the usage logs, adopts it and never creates again', async () => {
    // The provider takes 1 s to answer a create: the worker process dies while waiting.
    h = await startHarness({ worker: false, sim: { createFaults: { slow: 1 }, slowMs: 1_000 } });
    child = spawnWorkerProcess(h, CRASH_WORKER);
    await child.waitForLine('worker ready');
    const job = await h.add();
    await expect.poll(() => h!.sim.stats().create_requests, { interval: 10, timeout: 5_000 }).toBe(1);
    child.process.kill('SIGKILL');
    expect((await child.exited()).signal).toBe('SIGKILL');

    const stranded = await h.job(job.id!);
    expect(stranded.data).toMatchObject({ step: 'submitting', clientRequestId: requestIdOf(job.id!, 1) });
    expect(stranded.data.generationId).toBeUndefined();
    // The provider went on and created it: the answer only reached a dead socket.
    await expect.poll(() => h!.sim.stats().creates, { timeout: 3_000 }).toBe(1);

    h.sim.configure({ createFaults: { slow: 0 } });
    await h.startWorker({ lockDuration: 500, stalledInterval: 300 });
    const done = await h.finished(job);
    expect(done.state).toBe('completed');
    expect(done.state === 'completed' && done.result).toMatchObject({ recovered: true, costUsd: 0.1 });
    expect(h.sim.stats()).toMatchObject({ create_requests: 1, creates: 1, duplicate_creates: 0 });
    const { logs } = await h.queue.getJobLogs(job.id!);
    expect(logs).toContainEqual(
      expect.stringMatching(
        /^create outcome unknown \(the worker stopped after sending it and before saving the generation id\)/,
      ),
    );
    expect(logs).toContainEqual(expect.stringMatching(/^recovered from the usage logs: /));
  });
});
