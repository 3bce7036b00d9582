import { afterEach, describe, expect, it } from 'vitest';
import { createAimlApiClient } from '@vidqueue/aimlapi';
import { batchJobId } from '@vidqueue/core/contract';
import { createBatchStore, type BatchStore } from '@vidqueue/core/store';
import { startWorker, type ProcessorHooks } from '../src/index.js';
import { PROVIDER_KEY, startHarness, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const BATCH = 'bat_hooks';

async function setup(rows: number, hooks?: ProcessorHooks): Promise<{ h: Harness; store: BatchStore }> {
  h = await startHarness({ worker: false, sim: { generationMs: 200 } });
  const store = createBatchStore(h.redis, h.config.QUEUE_PREFIX, h.config.BATCH_TTL_SECONDS);
  await store.create({ id: BATCH, total: rows, skipped: 0, format: 'csv', columns: [] });
  await store.addRows(
    BATCH,
    Array.from({ length: rows }, (_, i) => ({
      row: i + 1,
      request: { input: { model: 'sber-ai/kandinsky5-distill-t2v', prompt: `p${i + 1}` } },
    })),
  );
  const client = createAimlApiClient({ apiKey: PROVIDER_KEY, baseUrl: h.sim.url, timeoutMs: 2_000 });
  h.running = await startWorker({ config: h.config, logger: h.logger, client, ...(hooks ? { hooks } : {}) });
  return { h, store };
}

describe('batch hooks in startWorker', () => {
  it('move a row queued → generating → completed with its video URL and generation id', async () => {
    const { h, store } = await setup(1);
    let sawGenerating = false;
    const job = await h.add({ batchId: BATCH, row: 1 }, { jobId: batchJobId(BATCH, 1) });
    await expect
      .poll(
        async () => {
          const [row] = await store.rows(BATCH, 1, 1);
          if (row?.status === 'generating') sawGenerating = true;
          return row?.status;
        },
        { timeout: 10_000, interval: 10 },
      )
      .toBe('completed');
    expect(sawGenerating).toBe(true);
    const result = await h.finished(job);
    const [row] = await store.rows(BATCH, 1, 1);
    expect(result.state).toBe('completed');
    if (result.state !== 'completed') return;
    expect(row?.outcome).toMatchObject({
      video_url: result.result.videoUrl,
      generation_id: result.result.generationId,
    });
    expect((await store.get(BATCH))?.meta.finishedAt).toBeTypeOf('number');
  });

  it('record provider failures as failed and cancel requests as cancelled', async () => {
    const { h, store } = await setup(2);
    h.sim.configure({ createFaults: { fail: 1 } });
    const failing = await h.add({ batchId: BATCH, row: 1 }, { jobId: batchJobId(BATCH, 1) });
    expect((await h.finished(failing)).state).toBe('failed');
    await h.redis.set(`${h.config.QUEUE_PREFIX}:vidq:cancel:${batchJobId(BATCH, 2)}`, '1');
    const cancelled = await h.add({ batchId: BATCH, row: 2 }, { jobId: batchJobId(BATCH, 2) });
    expect((await h.finished(cancelled)).state).toBe('failed');
    await expect
      .poll(async () => (await store.rows(BATCH, 1, 2)).map((r) => [r.status, r.outcome.error?.code]), {
        timeout: 5_000,
      })
      .toEqual([
        ['failed', 'generation_failed'],
        ['cancelled', 'cancelled'],
      ]);
    expect((await store.get(BATCH))?.counts).toEqual({
      queued: 0,
      paused: 0,
      generating: 0,
      completed: 0,
      failed: 1,
      cancelled: 1,
    });
  });

  it('record a job that fails for good on an unplanned error (attempts used up)', async () => {
    const { h, store } = await setup(1, {
      submitted() {
        throw new Error('a hook broke');
      },
    });
    const job = await h.add({ batchId: BATCH, row: 1 }, { jobId: batchJobId(BATCH, 1), attempts: 1 });
    expect((await h.finished(job)).state).toBe('failed');
    await expect
      .poll(async () => (await store.rows(BATCH, 1, 1))[0]?.status, { timeout: 5_000 })
      .toBe('failed');
    const [row] = await store.rows(BATCH, 1, 1);
    expect(row?.outcome.error?.message).toContain('a hook broke');
  });
});
