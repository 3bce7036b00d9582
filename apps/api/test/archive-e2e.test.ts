import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startFauxqs } from 'fauxqs';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAimlApiClient } from '@vidqueue/aimlapi';
import { createLogger, loadConfig, type Config } from '@vidqueue/core/runtime';
import { freePort } from '@vidqueue/redis-server';
import { startSimulator, type RunningSimulator } from '@vidqueue/simulator';
import { storageFromSettings, type Storage } from '@vidqueue/storage';
import { LogSink, deletePrefix, uniquePrefix, startReceiver, type Receiver } from '@vidqueue/testkit';
import { newWebhookSecret } from '@vidqueue/webhooks';
import { startWorker, type RunningWorker } from '@vidqueue/worker';
import { buildApp, type App } from '../src/app.js';

const TOKEN = 'api-token-archive-1';
const auth = { authorization: `Bearer ${TOKEN}` };
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

type Archive = {
  status: string;
  bytes: number | null;
  sha256: string | null;
  archived_at: string | null;
  reason?: string;
};
type VideoBody = {
  id: string;
  status: string;
  video_url: string | null;
  provider_video_url: string | null;
  archive: Archive | null;
};

/** Each storage backend runs the whole path: the local disk and a real S3-compatible server (fauxqs). */
const BACKENDS = ['file', 's3'] as const;

describe.each(BACKENDS)('archive end to end (%s storage)', (backend) => {
  let sim: RunningSimulator;
  let app: App;
  let worker: RunningWorker;
  let receiver: Receiver;
  let config: Config;
  let storage: Storage;
  let base: string;
  let secret: string;
  let stopBackend: () => Promise<void>;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, generationMs: 200 });
    // The receiver fails the first attempt of every delivery.
    const seen = new Map<string, number>();
    receiver = await startReceiver(() => 200);
    receiver.status = (n, headers) => {
      const id = String(headers['webhook-id']);
      seen.set(id, (seen.get(id) ?? 0) + 1);
      return seen.get(id) === 1 ? 500 : 204;
    };
    let storageEnv: Record<string, string>;
    if (backend === 'file') {
      const dir = await mkdtemp(join(tmpdir(), 'vidq-api-archive-'));
      storageEnv = { STORAGE_URL: pathToFileURL(dir).href };
      stopBackend = () => rm(dir, { recursive: true, force: true });
    } else {
      const server = await startFauxqs({ port: 0, logger: false });
      server.createBucket('vidq-e2e');
      storageEnv = {
        STORAGE_URL: 's3://vidq-e2e/archive',
        AWS_ENDPOINT_URL: server.address,
        AWS_ACCESS_KEY_ID: 'test-key-id',
        AWS_SECRET_ACCESS_KEY: 'test-secret-access-key',
        S3_FORCE_PATH_STYLE: 'true',
      };
      stopBackend = () => server.stop();
    }
    const port = await freePort();
    secret = newWebhookSecret();
    config = loadConfig({
      REDIS_URL: inject('redisUrl'),
      QUEUE_PREFIX: uniquePrefix('arc'),
      HOST: '127.0.0.1',
      PORT: String(port),
      API_TOKENS: TOKEN,
      AIMLAPI_KEY: 'sk-archive-test',
      AIMLAPI_BASE_URL: sim.url,
      STATUS_FIRST_CHECK_MS: '100',
      STATUS_INTERVAL_MS: '100',
      WORKER_CONCURRENCY: '4',
      ARCHIVE_BACKOFF_MS: '20',
      WEBHOOK_SECRET: secret,
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_BACKOFF_MS: '50',
      ...storageEnv,
    });
    storage = (await storageFromSettings(config))!;
    const sink = new LogSink();
    const logger = createLogger({ level: 'info', destination: sink });
    app = buildApp({ config, logger });
    await app.listen({ host: '127.0.0.1', port });
    base = `http://127.0.0.1:${port}`;
    const client = createAimlApiClient({ apiKey: config.AIMLAPI_KEY!, baseUrl: sim.url, timeoutMs: 2000 });
    worker = await startWorker({ config, logger, client });
  }, 30_000);

  afterAll(async () => {
    await worker?.close();
    await app?.close();
    await storage?.close();
    await receiver?.close();
    await sim?.close();
    await stopBackend?.();
    if (config) await deletePrefix(config.REDIS_URL, config.QUEUE_PREFIX);
  });

  async function api<T>(
    path: string,
    init: RequestInit = {},
  ): Promise<{ status: number; body: T; headers: Headers }> {
    const res = await fetch(`${base}${path}`, {
      ...init,
      headers: { ...auth, ...(init.headers as Record<string, string>) },
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
  }

  async function archivedVideo(id: string): Promise<VideoBody> {
    await expect
      .poll(async () => (await api<VideoBody>(`/v1/videos/${id}`)).body.archive?.status, {
        timeout: 15_000,
        interval: 50,
      })
      .toBe('archived');
    return (await api<VideoBody>(`/v1/videos/${id}`)).body;
  }

  it('a video completes, is archived, its provider file then expires, and video_url still plays (same bytes and sha256)', async () => {
    const created = await api<{ id: string }>('/v1/videos', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        prompt: 'a red fox in snow',
        webhook_url: receiver.url,
        webhook_events: ['video.completed'],
      }),
    });
    expect(created.status).toBe(202);
    const { id } = created.body;
    const video = await archivedVideo(id);
    expect(video.video_url).toBe(`${base}/v1/videos/${id}/content`);
    expect(video.provider_video_url).toMatch(new RegExp(`^${sim.url}/files/.+_output\\.mp4$`));
    const original = Buffer.from(await (await fetch(video.provider_video_url!)).arrayBuffer());
    expect(video.archive).toEqual({
      status: 'archived',
      bytes: original.length,
      sha256: sha256(original),
      archived_at: expect.any(String) as unknown,
    });

    sim.configure({ filesExpireMs: 1 });
    try {
      expect((await fetch(video.provider_video_url!)).status).toBe(410);
      const res = await fetch(video.video_url!, { headers: auth });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('video/mp4');
      expect(res.headers.get('accept-ranges')).toBe('bytes');
      expect(res.headers.get('etag')).toBe(`"${video.archive!.sha256}"`);
      expect(res.headers.get('content-length')).toBe(String(original.length));
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(sha256(bytes)).toBe(video.archive!.sha256);
      expect(bytes.equals(original)).toBe(true);
      expect((await fetch(video.video_url!)).status).toBe(401); // behind the API's auth
    } finally {
      sim.configure({ filesExpireMs: 0 });
    }

    // video.completed waited for the archive: our URL in the payload; first attempt failed, same id on the retry.
    await expect
      .poll(() => receiver.received.filter((r) => r.body.includes(id)).length, { timeout: 10_000 })
      .toBe(2);
    const [first, second] = receiver.received.filter((r) => r.body.includes(id));
    expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    const event = new Webhook(secret).verify(second!.body, second!.headers as Record<string, string>);
    expect(event).toMatchObject({
      type: 'video.completed',
      data: { id, video_url: video.video_url, archive: { sha256: video.archive!.sha256 } },
    });
    const deliveries = await api<{
      data: { status: string; attempts: number; attempt_log: { status: number }[] }[];
    }>(`/v1/webhooks/deliveries?video_id=${id}`);
    await expect
      .poll(
        async () =>
          (await api<{ data: { status: string }[] }>(`/v1/webhooks/deliveries?video_id=${id}`)).body.data[0]
            ?.status,
      )
      .toBe('delivered');
    expect(deliveries.status).toBe(200);
  });

  it('serves byte ranges: 206 with Content-Range, suffix ranges, 416 past the end, If-Range, several ranges whole', async () => {
    const { id } = (
      await api<{ id: string }>('/v1/videos', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'a lighthouse at dusk' }),
      })
    ).body;
    const video = await archivedVideo(id);
    const url = video.video_url!;
    const whole = Buffer.from(await (await fetch(url, { headers: auth })).arrayBuffer());
    const size = whole.length;
    const etag = `"${video.archive!.sha256}"`;
    const get = (headers: Record<string, string>) => fetch(url, { headers: { ...auth, ...headers } });

    const first = await get({ range: 'bytes=0-9' });
    expect(first.status).toBe(206);
    expect(first.headers.get('content-range')).toBe(`bytes 0-9/${size}`);
    expect(first.headers.get('content-length')).toBe('10');
    expect(Buffer.from(await first.arrayBuffer()).equals(whole.subarray(0, 10))).toBe(true);

    const suffix = await get({ range: 'bytes=-100' });
    expect(suffix.status).toBe(206);
    expect(suffix.headers.get('content-range')).toBe(`bytes ${size - 100}-${size - 1}/${size}`);
    expect(Buffer.from(await suffix.arrayBuffer()).equals(whole.subarray(size - 100))).toBe(true);

    const open = await get({ range: `bytes=${size - 5}-` });
    expect(open.status).toBe(206);
    expect(Buffer.from(await open.arrayBuffer()).equals(whole.subarray(size - 5))).toBe(true);

    const past = await get({ range: `bytes=${size}-` });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${size}`);
    expect(await past.json()).toMatchObject({ error: { code: 'RANGE_NOT_SATISFIABLE' } });

    const stale = await get({ range: 'bytes=0-9', 'if-range': '"another-version"' });
    expect(stale.status).toBe(200);
    expect((await stale.arrayBuffer()).byteLength).toBe(size);
    const fresh = await get({ range: 'bytes=0-9', 'if-range': etag });
    expect(fresh.status).toBe(206);
    await fresh.arrayBuffer();

    const several = await get({ range: 'bytes=0-1,5-6' });
    expect(several.status).toBe(200);
    expect((await several.arrayBuffer()).byteLength).toBe(size);
    expect((await get({ 'if-none-match': etag })).status).toBe(304);
  });

  it('a missing file is a 404 with a code, never a 500; a video without an archive says so', async () => {
    const { id } = (
      await api<{ id: string }>('/v1/videos', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'waves on rocks' }),
      })
    ).body;
    await archivedVideo(id);
    await storage.delete(`videos/${id}.mp4`);
    const missing = await api<{ error: { code: string } }>(`/v1/videos/${id}/content`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('ARCHIVE_FILE_MISSING');
    const unknown = await api<{ error: { code: string } }>('/v1/videos/vid_nope/content');
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'VIDEO_NOT_FOUND']);
  });

  it('a batch: webhook_url in the query, results carry the archive, batch.completed after every archive, replay, then purge', async () => {
    const csv = 'prompt,custom_id\na red fox,fox\na lighthouse,light\n';
    const created = await api<{ id: string }>(`/v1/batches?webhook_url=${encodeURIComponent(receiver.url)}`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: csv,
    });
    expect(created.status).toBe(202);
    const batchId = created.body.id;
    type Delivery = {
      id: string;
      event_type: string;
      status: string;
      video_id: string | null;
      created_at: string;
    };
    const deliveries = async () =>
      (await api<{ data: Delivery[] }>(`/v1/webhooks/deliveries?batch_id=${batchId}`)).body.data;
    await expect
      .poll(async () => (await deliveries()).filter((d) => d.status === 'delivered').length, {
        timeout: 20_000,
        interval: 100,
      })
      .toBe(3);
    const events = (await deliveries()).map((d) => d.event_type).sort();
    expect(events).toEqual(['batch.completed', 'video.completed', 'video.completed']);

    const completed = receiver.received.filter(
      (r) => r.body.includes(batchId) && r.body.includes('"batch.completed"'),
    );
    const body = JSON.parse(completed[0]!.body) as {
      data: { id: string; status: string; counts: Record<string, number> };
    };
    expect(body.data).toMatchObject({ id: batchId, status: 'completed', counts: { completed: 2 } });
    // batch.completed was queued after both videos' events, which waited for their archives.
    const all = await deliveries();
    const queuedAt = (type: string) =>
      all.filter((d) => d.event_type === type).map((d) => Date.parse(d.created_at));
    expect(Math.min(...queuedAt('batch.completed'))).toBeGreaterThanOrEqual(
      Math.max(...queuedAt('video.completed')),
    );

    const results = await fetch(`${base}/v1/batches/${batchId}/results`, { headers: auth });
    const rows = (await results.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { row: number; video_url: string; archive: Archive });
    for (const row of rows) {
      expect(row.video_url).toBe(`${base}/v1/videos/${batchId}-${row.row}/content`);
      const file = Buffer.from(await (await fetch(row.video_url, { headers: auth })).arrayBuffer());
      expect(sha256(file)).toBe(row.archive.sha256);
    }
    const csvExport = await (
      await fetch(`${base}/v1/batches/${batchId}/results?format=csv`, { headers: auth })
    ).text();
    expect(csvExport.split('\n')[1]).toContain(
      `,archived,${rows[0]!.archive.bytes},${rows[0]!.archive.sha256},`,
    );

    const batchEvent = (await deliveries()).find((d) => d.event_type === 'batch.completed')!;
    const before = receiver.received.length;
    const replay = await api<{ id: string }>(`/v1/webhooks/deliveries/${batchEvent.id}/replay`, {
      method: 'POST',
    });
    expect(replay.status).toBe(202);
    await expect.poll(() => receiver.received.length).toBe(before + 1);
    expect(receiver.received.at(-1)!.headers['webhook-id']).toBe(batchEvent.id);
    expect((await api(`/v1/webhooks/deliveries/msg_nope/replay`, { method: 'POST' })).status).toBe(404);

    const purged = await api<Record<string, unknown>>(`/v1/batches/${batchId}?purge=true`, {
      method: 'DELETE',
    });
    expect(purged.status).toBe(200);
    expect(purged.body).toEqual({ id: batchId, purged: true, jobs_removed: 2, files_removed: 2 });
    expect(await storage.stat(`batches/${batchId}/${batchId}-1.mp4`)).toBeUndefined();
    expect((await api(`/v1/batches/${batchId}`)).status).toBe(404);
    const gone = await api<{ error: { code: string } }>(`/v1/videos/${batchId}-1/content`);
    expect([gone.status, gone.body.error.code]).toEqual([404, 'VIDEO_NOT_FOUND']);
  });
});
