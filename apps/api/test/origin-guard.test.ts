import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, type Config } from '@vidqueue/core/runtime';
import { LogSink } from '@vidqueue/testkit';
import { judgeRequest } from '../src/plugins/origin-guard.js';
import { startApi, type RunningApi } from '../src/server.js';
import { deletePrefix, makeApp, testConfig, type TestApp } from './helpers.js';
import { jobTotal, multipartBody, usePrivateTmpdir } from './batch-helpers.js';

/**
 * The issue: with no API_TOKENS, a cross-origin multipart POST to /v1/batches answered 202, a
 * POST /v1/admin/resume from a foreign Origin 200, and a foreign Host was served (DNS rebinding).
 */
usePrivateTmpdir();

let t: TestApp | undefined;
let api: { running: RunningApi; config: Config } | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
  if (api) {
    await api.running.close();
    await deletePrefix(api.config);
    api = undefined;
  }
});

const EVIL = 'http://evil.example';
const CSV = 'prompt\na red fox\n';
const refusedOrigin = { error: { code: 'CROSS_ORIGIN_REFUSED', message: expect.any(String) as unknown } };

function upload(headers: Record<string, string>) {
  const { payload, headers: type } = multipartBody({ filename: 'p.csv', type: 'text/csv', content: CSV });
  return { method: 'POST' as const, url: '/v1/batches', payload, headers: { ...type, ...headers } };
}

async function pause(app: TestApp['app']): Promise<void> {
  await app.redis.hset(app.keys.accountPause, { reason: 'out of credits', status: '403', since: '1' });
}

describe('open on loopback (no API_TOKENS), through app.inject', () => {
  it('refuses a cross-origin form upload and resume with 403, enqueueing and resuming nothing', async () => {
    t = await makeApp();
    const res = await t.app.inject(upload({ origin: EVIL, 'sec-fetch-site': 'cross-site' }));
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({
      error: {
        code: 'CROSS_ORIGIN_REFUSED',
        message:
          'Cross-origin request refused: Origin "http://evil.example" is not this API\'s origin (set ALLOWED_ORIGINS to allow it)',
      },
    });
    expect(await jobTotal(t.app)).toBe(0);

    await pause(t.app);
    for (const headers of [{ origin: EVIL }, { origin: 'null' }, { 'sec-fetch-site': 'cross-site' }]) {
      const resume = await t.app.inject({ method: 'POST', url: '/v1/admin/resume', headers });
      expect(resume.statusCode, JSON.stringify(headers)).toBe(403);
      expect(resume.json()).toEqual(refusedOrigin);
    }
    expect(await t.app.redis.exists(t.app.keys.accountPause)).toBe(1);
  });

  it('refuses reads from another site too, and any foreign Host', async () => {
    t = await makeApp();
    const read = await t.app.inject({ method: 'GET', url: '/v1/models', headers: { origin: EVIL } });
    expect(read.statusCode).toBe(403);
    const nav = await t.app.inject({
      method: 'GET',
      url: '/v1/batches/bat_x/results',
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expect(nav.statusCode).toBe(403);
    for (const host of ['evil.example', 'evil.example:3000', '127.0.0.1.evil.example', 'localhost@evil']) {
      const res = await t.app.inject({ method: 'GET', url: '/healthz', headers: { host } });
      expect(res.statusCode, host).toBe(403);
      expect(res.json<{ error: { code: string } }>().error.code).toBe('HOST_NOT_ALLOWED');
    }
  });

  it('serves its own pages, tools without browser headers, ALLOWED_ORIGINS and ALLOWED_HOSTS', async () => {
    t = await makeApp({ ALLOWED_ORIGINS: 'https://tool.example', ALLOWED_HOSTS: 'vidq.internal:8080' });
    // inject's Host is localhost:80: the API's own origin is http://localhost.
    const cases: Record<string, string>[] = [
      {},
      { origin: 'http://localhost', 'sec-fetch-site': 'same-origin' },
      { 'sec-fetch-site': 'none' },
      { 'sec-fetch-site': 'same-site' },
      { origin: 'https://tool.example', 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of cases) {
      const res = await t.app.inject(upload(headers));
      expect(res.statusCode, JSON.stringify(headers)).toBe(202);
    }
    const proxied = await t.app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { host: 'vidq.internal:8080' },
    });
    expect(proxied.statusCode).toBe(200);
    const otherPort = await t.app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { host: 'vidq.internal:9' },
    });
    expect(otherPort.statusCode).toBe(403);
  });
});

describe('with API_TOKENS', () => {
  const auth = { authorization: 'Bearer guard-token-1' };

  it('refuses state-changing requests from another site even with a token; reads and other Hosts pass', async () => {
    t = await makeApp({ API_TOKENS: 'guard-token-1', DASHBOARD_PASSWORD: 'dashboard-pass-1' });
    const res = await t.app.inject(upload({ ...auth, origin: EVIL }));
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual(refusedOrigin);
    const video = await t.app.inject({
      method: 'POST',
      url: '/v1/videos',
      payload: { prompt: 'a fox' },
      headers: { ...auth, 'sec-fetch-site': 'cross-site' },
    });
    expect(video.statusCode).toBe(403);
    expect(await jobTotal(t.app)).toBe(0);
    // The dashboard's basic auth is sent by the browser by itself: its write actions are guarded too.
    const board = await t.app.inject({
      method: 'PUT',
      url: '/admin/queues/api/queues/generations/retry/failed',
      headers: {
        origin: EVIL,
        authorization: `Basic ${Buffer.from('admin:dashboard-pass-1').toString('base64')}`,
      },
    });
    expect(board.statusCode).toBe(403);

    const read = await t.app.inject({ method: 'GET', url: '/v1/models', headers: { ...auth, origin: EVIL } });
    expect(read.statusCode).toBe(200);
    const behindProxy = await t.app.inject({
      method: 'POST',
      url: '/v1/videos',
      payload: { prompt: 'a fox' },
      headers: { ...auth, host: 'api.example.com', origin: 'https://api.example.com' },
    });
    expect(behindProxy.statusCode).toBe(202);
  });
});

describe('judgeRequest: what a cookie session may rely on', () => {
  const base = { method: 'POST', host: '127.0.0.1:3000', localPort: 3000 } as const;
  it('marks a request fromOwnPage only with an allowed Origin or Sec-Fetch-Site: same-origin', () => {
    const judge = (origin?: string, secFetchSite?: string) =>
      judgeRequest(
        { ...base, origin, secFetchSite },
        { open: false, allowedOrigins: ['https://tool.example'] },
      );
    expect(judge('http://127.0.0.1:3000')).toEqual({ ok: true, fromOwnPage: true });
    expect(judge('https://tool.example', 'cross-site')).toEqual({ ok: true, fromOwnPage: true });
    expect(judge(undefined, 'same-origin')).toEqual({ ok: true, fromOwnPage: true });
    // A tool, or an old browser: allowed (a token is still needed), but never proof for a cookie.
    expect(judge()).toEqual({ ok: true, fromOwnPage: false });
    expect(judge(undefined, 'same-site')).toEqual({ ok: true, fromOwnPage: false });
    expect(judge('http://127.0.0.1:3001')).toMatchObject({ ok: false, code: 'CROSS_ORIGIN_REFUSED' });
  });

  it('holds a loopback Host to the port the request came in on', () => {
    const open = (host: string) =>
      judgeRequest(
        { ...base, method: 'GET', host, origin: undefined, secFetchSite: undefined },
        { open: true },
      );
    for (const host of [
      '127.0.0.1:3000',
      'localhost:3000',
      '[::1]:3000',
      'LOCALHOST:3000',
      '127.0.0.2:3000',
    ]) {
      expect(open(host), host).toEqual({ ok: true, fromOwnPage: false });
    }
    for (const host of ['127.0.0.1:3001', 'localhost', 'rebound.example:3000', '', 'a b:3000']) {
      expect(open(host), host).toMatchObject({ ok: false, code: 'HOST_NOT_ALLOWED' });
    }
  });
});

/** A raw HTTP request, so the Host and Origin headers are exactly what a browser would send. */
function raw(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('over real HTTP (open on loopback)', () => {
  it('answers only to Hosts naming loopback with its own port, and refuses a cross-origin upload', async () => {
    const config = testConfig({ PORT: '0' });
    const running = await startApi({ config, logger: createLogger({ destination: new LogSink() }) });
    api = { running, config };
    const { url } = running;
    const port = Number(new URL(url).port);
    const hosts: [string, number][] = [
      [`127.0.0.1:${port}`, 200],
      [`localhost:${port}`, 200],
      [`evil.example:${port}`, 403],
      [`127.0.0.1:${port + 1}`, 403],
      ['localhost', 403],
    ];
    for (const [host, status] of hosts) {
      const res = await raw(`${url}/healthz`, { headers: { host } });
      expect(res.status, host).toBe(status);
      if (status === 403) expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'HOST_NOT_ALLOWED' } });
    }

    const { payload, headers } = multipartBody({ filename: 'p.csv', type: 'text/csv', content: CSV });
    const cross = await raw(`${url}/v1/batches`, {
      method: 'POST',
      headers: { ...headers, origin: EVIL, 'sec-fetch-site': 'cross-site' },
      body: payload,
    });
    expect(cross.status).toBe(403);
    expect(JSON.parse(cross.body)).toEqual(refusedOrigin);
    expect(await jobTotal(running.app)).toBe(0);
    const own = await raw(`${url}/v1/batches`, {
      method: 'POST',
      headers: { ...headers, origin: url, 'sec-fetch-site': 'same-origin' },
      body: payload,
    });
    expect(own.status).toBe(202);
  });
});
