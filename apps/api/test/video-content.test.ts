import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { createServer as createTcpServer, connect, type AddressInfo, type Server } from 'node:net';
import { Readable } from 'node:stream';
import { startFauxqs } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createArchiveStore } from '@vidqueue/core/store';
import { createLogger, loadConfig, type Config } from '@vidqueue/core/runtime';
import { freePort } from '@vidqueue/redis-server';
import { createStorage, type Storage } from '@vidqueue/storage';
import { LogSink, deletePrefix, uniquePrefix } from '@vidqueue/testkit';
import { buildApp, type App } from '../src/app.js';

type Answer = { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer };

/** A plain HTTP request (fetch has no HEAD body semantics to check and hides framing). */
function send(url: string, method: 'GET' | 'HEAD', headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * A TCP relay in front of the S3 server that notes the method of every request the API makes to it,
 * so a test sees what storage was asked for (a HEAD must never download the object).
 */
async function relay(target: URL): Promise<{ url: string; methods: string[]; server: Server }> {
  const methods: string[] = [];
  const server = createTcpServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    client.on('data', (chunk: Buffer) => {
      for (const m of chunk
        .toString('latin1')
        .matchAll(/^(GET|HEAD|PUT|POST|DELETE) \/\S* HTTP\/1\.1\r$/gm)) {
        methods.push(m[1]!);
      }
    });
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, methods, server };
}

describe('GET and HEAD /v1/videos/:id/content from S3 (fauxqs behind a relay)', () => {
  let fauxqs: Awaited<ReturnType<typeof startFauxqs>>;
  let proxy: Awaited<ReturnType<typeof relay>>;
  let direct: Storage;
  let config: Config;
  let app: App;
  let url: string;
  const video = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), randomBytes(3 << 20)]);
  const sha256 = createHash('sha256').update(video).digest('hex');
  const etag = `"${sha256}"`;
  const id = 'vid_contenthead1';
  let stopped = false;

  beforeAll(async () => {
    fauxqs = await startFauxqs({ port: 0, logger: false });
    fauxqs.createBucket('vidq-content');
    proxy = await relay(new URL(fauxqs.address));
    const s3 = { region: 'us-east-1', accessKeyId: 'test', secretAccessKey: 'test', forcePathStyle: true };
    direct = (await createStorage('s3://vidq-content/a', { ...s3, endpoint: fauxqs.address }))!;
    const port = await freePort();
    config = loadConfig({
      REDIS_URL: inject('redisUrl'),
      QUEUE_PREFIX: uniquePrefix('vct'),
      HOST: '127.0.0.1',
      PORT: String(port),
      STORAGE_URL: 's3://vidq-content/a',
      AWS_ENDPOINT_URL: proxy.url,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      S3_FORCE_PATH_STYLE: 'true',
    });
    app = buildApp({ config, logger: createLogger({ level: 'warn', destination: new LogSink() }) });
    await app.listen({ host: '127.0.0.1', port });
    url = `http://127.0.0.1:${port}/v1/videos/${id}/content`;
    // An archived video, as the archive job leaves it: the object in storage and its record.
    const key = `videos/${id}.mp4`;
    await direct.put(key, Readable.from([video]), { contentType: 'video/mp4' });
    const store = createArchiveStore(app.redis, config.QUEUE_PREFIX, {
      ttlSeconds: 3600,
      retention: 'forever',
    });
    await store.begin({ videoId: id }, key);
    await store.settle(
      { videoId: id },
      {
        status: 'archived',
        storage_key: key,
        bytes: video.length,
        sha256,
        archived_at: new Date().toISOString(),
      },
    );
  }, 30_000);

  afterAll(async () => {
    await app?.close();
    await direct?.close();
    proxy?.server.close();
    if (!stopped) await fauxqs?.stop();
    if (config) await deletePrefix(config.REDIS_URL, config.QUEUE_PREFIX);
  });

  it('HEAD answers the headers of a GET and never downloads the object from storage', async () => {
    proxy.methods.length = 0;
    const head = await send(url, 'HEAD');
    expect([head.status, head.headers['content-length'], head.headers['content-type']]).toEqual([
      200,
      String(video.length),
      'video/mp4',
    ]);
    expect([head.headers.etag, head.headers['accept-ranges'], head.body.length]).toEqual([etag, 'bytes', 0]);
    // Revalidated on every use (a 304 by the ETag): a browser after sign-out does not replay it from cache.
    expect(head.headers['cache-control']).toBe('private, no-cache');
    const ranged = await send(url, 'HEAD', { range: 'bytes=100-199' });
    expect([ranged.status, ranged.headers['content-length'], ranged.headers['content-range']]).toEqual([
      206,
      '100',
      `bytes 100-199/${video.length}`,
    ]);
    // Storage was asked for the object's size only: no GetObject (the API's GET is sent before it answers).
    expect(proxy.methods).toEqual(['HEAD', 'HEAD']);

    const get = await send(url, 'GET', { range: 'bytes=100-199' });
    expect([get.status, get.body.equals(video.subarray(100, 200))]).toEqual([206, true]);
    expect(proxy.methods).toEqual(['HEAD', 'HEAD', 'HEAD', 'GET']);
  });

  it('If-None-Match: the ETag alone, weak, in a list or * answers 304 (GET and HEAD); another tag 200', async () => {
    for (const value of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      for (const method of ['GET', 'HEAD'] as const) {
        const res = await send(url, method, { 'if-none-match': value, range: 'bytes=0-9' });
        expect([value, method, res.status, res.body.length, res.headers.etag]).toEqual([
          value,
          method,
          304,
          0,
          etag,
        ]);
      }
    }
    const other = await send(url, 'GET', { 'if-none-match': '"other", W/"another"' });
    expect([other.status, other.body.length]).toEqual([200, video.length]);
  });

  it('a deleted object: 404 ARCHIVE_FILE_MISSING for GET, 404 for HEAD', async () => {
    const gone = 'vid_contenthead2';
    const store = createArchiveStore(app.redis, config.QUEUE_PREFIX, {
      ttlSeconds: 3600,
      retention: 'forever',
    });
    const record = { status: 'archived' as const, storage_key: `videos/${gone}.mp4`, bytes: 1, sha256 };
    await store.settle({ videoId: gone }, { ...record, archived_at: new Date().toISOString() });
    const missing = `http://127.0.0.1:${new URL(url).port}/v1/videos/${gone}/content`;
    const get = await send(missing, 'GET');
    const body = JSON.parse(get.body.toString()) as { error: { code: string } };
    expect([get.status, body.error.code]).toEqual([404, 'ARCHIVE_FILE_MISSING']);
    expect((await send(missing, 'HEAD')).status).toBe(404);
  });

  // Last: it stops the S3 server.
  it('storage down: 503 STORAGE_UNAVAILABLE with Retry-After for GET and HEAD, never a 500', async () => {
    await fauxqs.stop();
    stopped = true;
    for (const method of ['GET', 'HEAD'] as const) {
      const res = await send(url, method);
      expect([method, res.status, res.headers['retry-after']]).toEqual([method, 503, '5']);
      if (method === 'GET') {
        const body = JSON.parse(res.body.toString()) as { error: { code: string; message: string } };
        expect(body.error.code).toBe('STORAGE_UNAVAILABLE');
        expect(body.error.message).not.toContain('127.0.0.1');
      }
    }
  });
});
