import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { archiveJobId, createArchiveStore, ARCHIVE_QUEUE } from '@vidqueue/core/store';
import { newWebhookSecret, createDeliveryStore } from '@vidqueue/webhooks';
import { startHarness, type Harness } from './harness.js';
import { startReceiver, type Receiver } from '@vidqueue/testkit';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('archive and webhooks beside the generation worker', () => {
  let h: Harness | undefined;
  let dir: string | undefined;
  let receiver: Receiver | undefined;
  let archiveQueue: Queue | undefined;
  afterEach(async () => {
    await archiveQueue?.close();
    await h?.close();
    await receiver?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    h = dir = receiver = archiveQueue = undefined;
  });

  async function start(env: Record<string, string> = {}, sim = {}) {
    dir = await mkdtemp(join(tmpdir(), 'vidq-archive-'));
    h = await startHarness({
      sim,
      env: {
        STORAGE_URL: pathToFileURL(dir).href,
        ARCHIVE_BACKOFF_MS: '20',
        WEBHOOK_BACKOFF_MS: '50',
        ...env,
      },
    });
    archiveQueue = new Queue(ARCHIVE_QUEUE, { connection: h.redis, prefix: h.config.QUEUE_PREFIX });
    return h;
  }

  const store = (harness: Harness) =>
    createArchiveStore(harness.redis, harness.config.QUEUE_PREFIX, { ttlSeconds: 3600, retention: 'batch' });

  it('copies a completed video into storage by its own queue: bytes, sha256 and archived_at recorded', async () => {
    const harness = await start();
    const job = await harness.add();
    const done = await harness.finished(job);
    expect(done.state).toBe('completed');
    if (done.state !== 'completed') return;
    await expect
      .poll(async () => (await store(harness).get(job.id!))?.status, { interval: 20 })
      .toBe('archived');
    const record = (await store(harness).get(job.id!))!;
    const source = Buffer.from(await (await fetch(done.result.videoUrl)).arrayBuffer());
    const stored = await readFile(join(dir!, 'videos', `${job.id}.mp4`));
    expect(stored.equals(source)).toBe(true);
    expect(record).toMatchObject({
      status: 'archived',
      storage_key: `videos/${job.id}.mp4`,
      bytes: source.length,
      sha256: sha256(source),
    });
    expect(Date.parse(record.archived_at!)).toBeGreaterThan(done.result.completedAt - 1);
    const archiveJob = await archiveQueue!.getJob(archiveJobId(job.id!));
    expect(await archiveJob!.getState()).toBe('completed');
    expect((await archiveQueue!.getJobLogs(archiveJobId(job.id!))).logs).toEqual([
      `archived ${source.length} bytes, sha256 ${sha256(source)}`,
    ]);
    // The generation's own result keeps the provider's URL.
    expect(done.result.videoUrl).toMatch(/\/files\/.+_output\.mp4$/);
  });

  it('a source that expired (410) ends archive_failed source_expired at once; a file over the cap too_large', async () => {
    const harness = await start({ ARCHIVE_MAX_BYTES: '1024' });
    const big = await harness.add();
    await harness.finished(big);
    await expect
      .poll(async () => (await store(harness).get(big.id!))?.status, { interval: 20 })
      .toBe('archive_failed');
    expect(await store(harness).get(big.id!)).toMatchObject({
      reason: 'too_large',
      bytes: null,
      sha256: null,
    });

    harness.sim.configure({ filesExpireMs: 1 });
    const expired = await harness.add();
    await harness.finished(expired);
    await expect
      .poll(async () => (await store(harness).get(expired.id!))?.reason, { interval: 20 })
      .toBe('source_expired');
    expect((await store(harness).get(expired.id!))?.message).toMatch(
      /^http_status: 127\.0\.0\.1:\d+ answered 410$/,
    );
    const archiveJob = await archiveQueue!.getJob(archiveJobId(expired.id!));
    expect(await archiveJob!.getState()).toBe('failed');
    expect(archiveJob!.attemptsMade).toBe(1); // never retried: retrying cannot bring it back
    expect(await readFile(join(dir!, 'videos', `${expired.id}.mp4`)).catch(() => 'none')).toBe('none');
  });

  it('video.completed waits for the archive and carries it; the receiver fails once, the retry has the same webhook-id and a valid signature', async () => {
    receiver = await startReceiver((n) => (n === 1 ? 503 : 204));
    const secret = newWebhookSecret();
    const harness = await start({
      WEBHOOK_SECRET: secret,
      WEBHOOK_ALLOW_PRIVATE: 'true',
      PUBLIC_URL: 'https://vidq.example.com',
    });
    const job = await harness.add({ webhook: { url: receiver.url } });
    await harness.finished(job);
    await expect.poll(() => receiver!.received.length, { interval: 20, timeout: 10_000 }).toBe(2);
    const [first, second] = receiver.received as [
      (typeof receiver.received)[0],
      (typeof receiver.received)[0],
    ];
    expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(second.body).toBe(first.body);
    const event = new Webhook(secret).verify(second.body, second.headers as Record<string, string>) as {
      type: string;
      data: Record<string, unknown>;
    };
    const record = (await store(harness).get(job.id!))!;
    expect(event).toMatchObject({
      type: 'video.completed',
      data: {
        id: job.id,
        status: 'completed',
        video_url: `https://vidq.example.com/v1/videos/${job.id}/content`,
        provider_video_url: expect.stringMatching(/\/files\/.+_output\.mp4$/) as unknown,
        archive: {
          status: 'archived',
          bytes: record.bytes,
          sha256: record.sha256,
          archived_at: record.archived_at,
        },
      },
    });
    const deliveries = createDeliveryStore(harness.redis, harness.config.QUEUE_PREFIX, 3600);
    await expect
      .poll(async () => (await deliveries.list('video', job.id!))[0]?.status, { interval: 20 })
      .toBe('delivered');
    const [delivery] = await deliveries.list('video', job.id!);
    expect(delivery).toMatchObject({
      id: first.headers['webhook-id'],
      event_type: 'video.completed',
      attempts: 2,
    });
    expect(delivery!.attempt_log.map((a) => [a.attempt, a.status, a.error])).toEqual([
      [1, 503, 'http_503'],
      [2, 204, null],
    ]);
    // The secret is nowhere in Redis.
    const keys = await harness.redis.keys(`${harness.config.QUEUE_PREFIX}:*`);
    for (const key of keys) {
      const type = await harness.redis.type(key);
      const dump =
        type === 'string'
          ? await harness.redis.get(key)
          : JSON.stringify(
              type === 'hash'
                ? await harness.redis.hgetall(key)
                : type === 'list'
                  ? await harness.redis.lrange(key, 0, -1)
                  : [],
            );
      expect(dump ?? '').not.toContain(secret.slice(6, 30));
    }
  });

  it('video.failed carries the failure; a 410 stops deliveries to that URL', async () => {
    receiver = await startReceiver(() => 410);
    const harness = await start(
      { STORAGE_URL: 'none', WEBHOOK_SECRET: newWebhookSecret(), WEBHOOK_ALLOW_PRIVATE: 'true' },
      { faults: { fail: 1 } },
    );
    const job = await harness.add({ webhook: { url: receiver.url } });
    await harness.finished(job);
    await expect.poll(() => receiver!.received.length, { interval: 20 }).toBe(1);
    expect(JSON.parse(receiver.received[0]!.body)).toMatchObject({
      type: 'video.failed',
      data: { id: job.id, status: 'failed', error: { code: 'generation_failed' }, archive: null },
    });
    const deliveries = createDeliveryStore(harness.redis, harness.config.QUEUE_PREFIX, 3600);
    await expect
      .poll(async () => (await deliveries.list('video', job.id!))[0]?.status, { interval: 20 })
      .toBe('gone');
    const second = await harness.add({ webhook: { url: receiver.url } });
    await harness.finished(second);
    await expect
      .poll(async () => (await deliveries.list('video', second.id!))[0]?.status, { interval: 20 })
      .toBe('gone');
    expect(receiver.received).toHaveLength(1);
  });
  it('a store that stops answering (S3 endpoint accepting and never replying): the write gives up after ARCHIVE_TIMEOUT_MS, archive_failed storage_failed, and video.completed still goes out', async () => {
    const sockets: Socket[] = [];
    const blackHole = createTcpServer((socket) => {
      sockets.push(socket);
      socket.resume(); // reads the request, never answers
    });
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    receiver = await startReceiver(() => 204);
    try {
      h = await startHarness({
        env: {
          STORAGE_URL: 's3://vidq-stalled/archive',
          AWS_ENDPOINT_URL: `http://127.0.0.1:${(blackHole.address() as AddressInfo).port}`,
          AWS_ACCESS_KEY_ID: 'test',
          AWS_SECRET_ACCESS_KEY: 'test',
          S3_FORCE_PATH_STYLE: 'true',
          ARCHIVE_TIMEOUT_MS: '1000',
          ARCHIVE_ATTEMPTS: '2',
          ARCHIVE_BACKOFF_MS: '20',
          WEBHOOK_SECRET: newWebhookSecret(),
          WEBHOOK_ALLOW_PRIVATE: 'true',
        },
      });
      const job = await h.add({ webhook: { url: receiver.url } });
      await h.finished(job);
      await expect
        .poll(async () => (await store(h!).get(job.id!))?.status, { interval: 50, timeout: 15_000 })
        .toBe('archive_failed');
      expect(await store(h).get(job.id!)).toMatchObject({
        reason: 'storage_failed',
        message: 'storage: TimeoutError',
      });
      await expect.poll(() => receiver!.received.length, { interval: 20 }).toBe(1);
      expect(JSON.parse(receiver.received[0]!.body)).toMatchObject({
        type: 'video.completed',
        data: { id: job.id, archive: { status: 'archive_failed', reason: 'storage_failed' } },
      });
    } finally {
      sockets.forEach((s) => s.destroy());
      blackHole.close();
    }
  });
});
