import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { createRedis, loadConfig } from '@vidqueue/core/runtime';
import { deletePrefix, uniquePrefix } from '@vidqueue/testkit';
import { Redis as IORedis, type Redis } from 'ioredis';
import { Worker } from 'bullmq';
import {
  createGoneList,
  createSigner,
  createWebhookDispatcher,
  createWebhookQueue,
  WEBHOOKS_QUEUE,
  newWebhookSecret,
  sendAttempt,
  type WebhookQueue,
} from '../src/index.js';

type Receiver = {
  url: string;
  requests: { headers: IncomingMessage['headers']; body: string }[];
  close(): Promise<void>;
};

async function startReceiver(status: (n: number) => number): Promise<Receiver> {
  const requests: Receiver['requests'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.writeHead(status(requests.length)).end('thanks');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks?token=t0ps3cret`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('sendAttempt', () => {
  const receivers: Receiver[] = [];
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });

  it('posts the signed JSON body; 2xx is ok, 410 gone, 500 and 3xx retry, loopback refused unless allowed', async () => {
    const statuses = [204, 410, 500, 302];
    const r = await startReceiver((n) => statuses[n - 1] ?? 200);
    receivers.push(r);
    const headers = createSigner([newWebhookSecret()]).sign('msg_x', new Date(), '{}');
    const kinds = [];
    for (let i = 0; i < 4; i++) {
      kinds.push(await sendAttempt(r.url, '{}', headers, { timeoutMs: 2000, allowPrivate: true }));
    }
    expect(kinds.map((k) => [k.kind, k.status, k.error])).toEqual([
      ['ok', 204, null],
      ['gone', 410, 'http_410'],
      ['retry', 500, 'http_500'],
      ['retry', 302, 'http_302'], // a redirect (here without Location) is a failed attempt: never followed
    ]);
    expect(r.requests[0]).toMatchObject({
      body: '{}',
      headers: { 'content-type': 'application/json', 'webhook-id': 'msg_x' },
    });
    const refused = await sendAttempt(r.url, '{}', headers, { timeoutMs: 2000 });
    expect(refused).toMatchObject({ kind: 'refused', status: null });
    expect(refused.error).toBe('blocked_address: 127.0.0.1 is not a public address (loopback)');
    expect(refused.error).not.toContain('t0ps3cret');
    expect(r.requests).toHaveLength(4);
  });
});

describe('dispatcher and delivery records (real Redis)', () => {
  let redis: Redis;
  let queue: WebhookQueue;
  let prefix: string;
  beforeEach(() => {
    prefix = uniquePrefix('whk');
    redis = createRedis(inject('redisUrl'), 'worker');
  });
  afterEach(async () => {
    await queue?.close();
    await redis.quit();
    await deletePrefix(inject('redisUrl'), prefix);
  });

  it('queues one delivery per wanting target, once per occurrence, indexed by video and batch', async () => {
    const config = loadConfig({
      QUEUE_PREFIX: prefix,
      WEBHOOK_URL: 'https://hooks.example.com/all',
      WEBHOOK_EVENTS: 'video.completed,batch.completed',
    });
    queue = createWebhookQueue(redis, config);
    const d = createWebhookDispatcher({ redis, queue, config });
    const own = { url: 'https://mine.example.com/h', events: ['video.failed' as const] };
    expect(
      await d.emit(
        'video.failed',
        { id: 'bat_1-1' },
        { videoId: 'bat_1-1', batchId: 'bat_1', occurrence: 'a' },
        own,
      ),
    ).toHaveLength(1);
    const ids = await d.emit(
      'video.completed',
      { id: 'bat_1-2' },
      { videoId: 'bat_1-2', batchId: 'bat_1', occurrence: 'b' },
      own,
    );
    expect(ids).toHaveLength(1);
    // A replayed hook: the same delivery, nothing new queued.
    expect(
      await d.emit(
        'video.completed',
        { id: 'bat_1-2' },
        { videoId: 'bat_1-2', batchId: 'bat_1', occurrence: 'b' },
        own,
      ),
    ).toEqual(ids);
    expect(await queue.getJobCounts('waiting')).toEqual({ waiting: 2 });

    const listed = await d.store.list('batch', 'bat_1');
    expect(listed.map((l) => [l.event_type, l.url, l.status, l.attempts])).toEqual([
      ['video.failed', 'https://mine.example.com/h', 'pending', 0],
      ['video.completed', 'https://hooks.example.com/all', 'pending', 0],
    ]);
    expect(await d.store.list('video', 'bat_1-2')).toHaveLength(1);
    const stored = await d.store.get(ids[0]!);
    expect(JSON.parse(stored!.body)).toMatchObject({ type: 'video.completed', data: { id: 'bat_1-2' } });

    await d.store.recordAttempt(
      ids[0]!,
      {
        attempt: 1,
        at: new Date().toISOString(),
        duration_ms: 5,
        status: 500,
        error: 'http_500',
        replay: false,
      },
      'pending',
    );
    // An attempt is still to come: a replay now would only add requests to the receiver's URL.
    expect(await d.replay(ids[0]!)).toBe('pending');
    await d.store.setStatus(ids[0]!, 'failed');
    const gone = createGoneList(redis, prefix);
    await gone.mark('https://hooks.example.com/all');
    expect(await gone.has('https://hooks.example.com/all')).toBe(true);
    const replay = await d.replay(ids[0]!);
    expect(replay !== 'pending' && replay?.jobId).toMatch(/^whk_msg_[0-9a-f]{24}-replay-1$/);
    // Asked again before that replay's attempt: refused, and no second job.
    expect(await d.replay(ids[0]!)).toBe('pending');
    expect(await gone.has('https://hooks.example.com/all')).toBe(false);
    expect((await d.store.list('video', 'bat_1-2'))[0]).toMatchObject({
      attempts: 1,
      status: 'pending',
      attempt_log: [{ status: 500 }],
    });
    expect(await d.replay('msg_nope')).toBeUndefined();

    // That replay's job ends without an attempt (say the process died mid-way and the job gave up):
    // its id is still kept, so the next replay sends a job of its own instead of being swallowed.
    const worker = new Worker(WEBHOOKS_QUEUE, () => Promise.resolve(), {
      connection: new IORedis(inject('redisUrl'), { maxRetriesPerRequest: null }),
      prefix: queue.opts.prefix!,
    });
    try {
      await expect.poll(() => queue.getJobState(replay !== 'pending' ? replay!.jobId : '')).toBe('completed');
    } finally {
      await worker.close();
      await worker.disconnect();
    }
    await d.store.setStatus(ids[0]!, 'failed');
    const next = await d.replay(ids[0]!);
    expect(next !== 'pending' && next?.jobId).toMatch(/^whk_msg_[0-9a-f]{24}-replay-1-\d+$/);
    expect(await queue.getJobState(next !== 'pending' ? next!.jobId : '')).toBe('waiting');
  });
});
