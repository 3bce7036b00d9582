import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { archiveStorageKey, batchJobId, type GenerationResult } from '@vidqueue/core/contract';
import {
  createArchiveQueue,
  createArchiveStore,
  createBatchStore,
  createGenerationQueues,
  type ArchiveQueue,
} from '@vidqueue/core/store';
import { createFileStorage } from '@vidqueue/storage';
import {
  createDeliveryStore,
  createWebhookDispatcher,
  createWebhookQueue,
  newWebhookSecret,
} from '@vidqueue/webhooks';
import { createAimlApiClient } from '@vidqueue/aimlapi';
import { startReceiver, type Receiver } from '@vidqueue/testkit';
import { createArchiveProcessor } from '../src/archive/archive-processor.js';
import { startWorker } from '../src/index.js';
import { createWebhookHooks } from '../src/webhooks/webhook-hooks.js';
import { PROVIDER_KEY, startHarness, type Harness } from './harness.js';

const BATCH = 'bat_order';

/** A gate a test opens when it chooses. */
function gate(): { wait: Promise<void>; open(): void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

describe('event order with storage on', () => {
  let h: Harness | undefined;
  let dir: string | undefined;
  const closers: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    await h?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    h = dir = undefined;
  });

  it('batch.completed is queued after the video.completed of a row whose archive settled at the same time', async () => {
    h = await startHarness({
      worker: false,
      env: { WEBHOOK_SECRET: newWebhookSecret(), WEBHOOK_URL: 'https://hooks.example.com/in' },
    });
    const { redis, config, logger } = h;
    const prefix = config.QUEUE_PREFIX;
    // The simulator always serves its sample MP4 there.
    const source = `${h.sim.url}/files/sample.mp4`;

    // A batch of two rows, both finished, each archive pending.
    const batches = createBatchStore(redis, prefix, 3600);
    await batches.create({ id: BATCH, total: 2, skipped: 0, format: 'csv', columns: [] });
    await batches.addRows(
      BATCH,
      [1, 2].map((row) => ({
        row,
        request: { input: { model: 'sber-ai/kandinsky5-distill-t2v', prompt: `p${row}` } },
      })),
    );
    const store = createArchiveStore(redis, prefix, { ttlSeconds: 3600, retention: 'forever' });
    const generations = createGenerationQueues(redis, config);
    const archiveQueue: ArchiveQueue = createArchiveQueue(redis, config);
    const webhookQueue = createWebhookQueue(redis, config);
    closers.push(
      () => generations.close(),
      () => archiveQueue.close(),
      () => webhookQueue.close(),
    );
    const result = (row: number): GenerationResult => ({
      videoUrl: source,
      generationId: `gen-${row}`,
      model: 'sber-ai/kandinsky5-distill-t2v',
      polls: 1,
      submittedAt: 1,
      completedAt: 2,
    });
    const jobs = [];
    for (const row of [1, 2]) {
      const videoId = batchJobId(BATCH, row);
      await h.add({ batchId: BATCH, row }, { jobId: videoId });
      await batches.setRowStatus(BATCH, row, 'completed', { video_url: source, generation_id: `gen-${row}` });
      const ref = { videoId, batchId: BATCH, row };
      const storageKey = archiveStorageKey(videoId, BATCH);
      await store.begin(ref, storageKey);
      jobs.push(
        await archiveQueue.add('archive', { ...ref, sourceUrl: source, storageKey, result: result(row) }),
      );
    }
    expect((await batches.get(BATCH))?.meta.finishedAt).toBeTypeOf('number');

    const hooks = createWebhookHooks({
      redis,
      prefix,
      ttlSeconds: 3600,
      dispatcher: createWebhookDispatcher({ redis, queue: webhookQueue, config }),
      batches,
      archive: { store, queue: generations },
      publicBase: 'https://vidq.example.com',
      logger,
    });
    // Row 1's archive is told settled, and waits there until row 2's archive has run to its end.
    const rowOneSettled = gate();
    const rowOneHeld = gate();
    dir = await mkdtemp(join(tmpdir(), 'vidq-order-'));
    const processArchive = createArchiveProcessor({
      config,
      storage: createFileStorage(dir),
      store,
      policy: { allowRanges: ['loopback'] },
      logger,
      onSettled: {
        async settled(ref, record, data) {
          if (ref.row === 1) {
            rowOneSettled.open();
            await rowOneHeld.wait;
          }
          await hooks.archive.settled(ref, record, data);
        },
        released: hooks.archive.released,
      },
    });
    const first = processArchive(jobs[0]!);
    await rowOneSettled.wait;
    await processArchive(jobs[1]!);
    const deliveries = createDeliveryStore(redis, prefix, 3600);
    const events = async () => (await deliveries.list('batch', BATCH)).map((d) => d.event_type).sort();
    // Row 1 still holds the batch: no batch.completed yet.
    expect(await events()).toEqual(['video.completed']);
    rowOneHeld.open();
    await first;
    expect(await events()).toEqual(['batch.completed', 'video.completed', 'video.completed']);
  });
});

describe('events of a job BullMQ itself fails (attempts used up on an unplanned error)', () => {
  let h: Harness | undefined;
  let receiver: Receiver | undefined;
  afterEach(async () => {
    await h?.close();
    await receiver?.close();
    h = receiver = undefined;
  });

  it('sends video.failed for a single video and for a batch row, then batch.completed', async () => {
    receiver = await startReceiver(() => 204);
    h = await startHarness({
      worker: false,
      env: {
        STORAGE_URL: 'none',
        WEBHOOK_SECRET: newWebhookSecret(),
        WEBHOOK_URL: receiver.url,
        WEBHOOK_ALLOW_PRIVATE: 'true',
      },
    });
    const batches = createBatchStore(h.redis, h.config.QUEUE_PREFIX, 3600);
    await batches.create({ id: BATCH, total: 1, skipped: 0, format: 'csv', columns: [] });
    await batches.addRows(BATCH, [
      { row: 1, request: { input: { model: 'sber-ai/kandinsky5-distill-t2v', prompt: 'p1' } } },
    ]);
    const client = createAimlApiClient({ apiKey: PROVIDER_KEY, baseUrl: h.sim.url, timeoutMs: 2_000 });
    h.running = await startWorker({
      config: h.config,
      logger: h.logger,
      client,
      hooks: {
        submitted() {
          throw new Error('a hook broke');
        },
      },
    });
    const single = await h.add({}, { attempts: 1 });
    const row = await h.add({ batchId: BATCH, row: 1 }, { jobId: batchJobId(BATCH, 1), attempts: 1 });
    expect([(await h.finished(single)).state, (await h.finished(row)).state]).toEqual(['failed', 'failed']);

    const events = () =>
      receiver!.received.map((r) => {
        const { type, data } = JSON.parse(r.body) as { type: string; data: { id: string } };
        return `${type} ${data.id}`;
      });
    await expect.poll(() => events().length, { interval: 20, timeout: 10_000 }).toBe(3);
    expect(events().sort()).toEqual(
      [`batch.completed ${BATCH}`, `video.failed ${row.id}`, `video.failed ${single.id}`].sort(),
    );
  });
});
