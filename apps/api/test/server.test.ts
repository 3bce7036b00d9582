import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '@vidqueue/core/runtime';
import { LogSink } from '@vidqueue/testkit';
import { isLoopbackHost, startApi, UnsafeBindError, type RunningApi } from '../src/server.js';
import { deletePrefix, makeApp, testConfig } from './helpers.js';

let api: RunningApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.10.20.30', true],
    ['localhost', true],
    ['LOCALHOST', true],
    ['::1', true],
    ['[::1]', true],
    ['0:0:0:0:0:0:0:1', true],
    ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.10', false],
    ['128.0.0.1', false],
    ['example.com', false],
    ['localhost.example.com', false],
    ['::2', false],
  ])('%s → %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});

describe('startApi', () => {
  it('refuses a non-loopback HOST without API_TOKENS, with a message saying what to do', async () => {
    const config = testConfig({ HOST: '0.0.0.0', PORT: '0' });
    const attempt = startApi({ config, logger: createLogger({ destination: new LogSink() }) });
    await expect(attempt).rejects.toBeInstanceOf(UnsafeBindError);
    await expect(attempt).rejects.toThrow(/HOST=0\.0\.0\.0 without API_TOKENS.*Set API_TOKENS=/);
  });

  it('binds a non-loopback HOST when tokens are configured', async () => {
    const config = testConfig({ HOST: '0.0.0.0', PORT: '0', API_TOKENS: 'tok-1' });
    api = await startApi({ config, logger: createLogger({ destination: new LogSink() }) });
    expect(api.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${api.url}/v1/models`, { headers: { authorization: 'Bearer tok-1' } });
    expect(res.status).toBe(200);
    await deletePrefix(config);
  });

  it('listens on loopback with a free port, answers over real HTTP, and closes idempotently', async () => {
    const config = testConfig({ PORT: '0' });
    api = await startApi({ config, logger: createLogger({ destination: new LogSink() }) });
    expect(api.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${api.url}/healthz`);
    expect(health.status).toBe(200);
    // No API_TOKENS: every caller sees the details; no provider key here, so the balance says why it is unknown.
    expect(await health.json()).toEqual({
      status: 'ok',
      redis: 'ok',
      account_pause: null,
      balance: {
        balance_usd: null,
        currency: null,
        checked_at: null,
        reason: 'no provider key (AIMLAPI_KEY unset): the balance is not read or checked',
      },
    });

    const big = await fetch(`${api.url}/v1/videos`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({
      error: { code: 'PAYLOAD_TOO_LARGE', message: 'Request body is too large' },
    });

    await Promise.all([api.close(), api.close()]);
    await expect(fetch(`${api.url}/healthz`)).rejects.toThrow();
    api = undefined;
    await deletePrefix(config);
  });
});

describe('/healthz account pause', () => {
  it('reports degraded with the reason while workers have paused submissions', async () => {
    const config = testConfig({ PORT: '0' });
    api = await startApi({ config, logger: createLogger({ destination: new LogSink() }) });
    const key = api.app.keys.accountPause;
    const since = Date.now() - 5_000;
    await api.app.redis.hset(key, {
      reason: 'provider answered 403: out of credits',
      status: '403',
      since: String(since),
    });
    await api.app.redis.pexpire(key, 60_000);

    const res = await fetch(`${api.url}/healthz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; account_pause: Record<string, unknown> };
    expect(body.status).toBe('degraded');
    expect(body.account_pause).toMatchObject({
      reason: 'provider answered 403: out of credits',
      status: 403,
      since: new Date(since).toISOString(),
    });
    const resumes = Date.parse(String(body.account_pause.resumes_at));
    expect(resumes).toBeGreaterThan(Date.now());
    expect(resumes).toBeLessThanOrEqual(Date.now() + 60_000);
    await deletePrefix(config);
  });
});

describe('/healthz with API_TOKENS', () => {
  it("shows the provider's account message only to a request with a valid bearer token", async () => {
    const t = await makeApp({ API_TOKENS: 'health-token-1' });
    try {
      const key = t.app.keys.accountPause;
      await t.app.redis.hset(key, {
        reason: 'provider answered 403: account acme-corp is out of credits',
        status: '403',
        since: String(Date.now() - 1_000),
      });
      await t.app.redis.pexpire(key, 60_000);
      for (const headers of [{}, { authorization: 'Bearer wrong' }]) {
        const res = await t.app.inject({ method: 'GET', url: '/healthz', headers });
        expect(res.statusCode).toBe(200);
        const body = res.json<{ status: string; account_pause: Record<string, unknown> }>();
        expect(body.status).toBe('degraded');
        expect(Object.keys(body.account_pause).sort()).toEqual(['resumes_at', 'since']);
        expect(res.body).not.toContain('acme-corp');
      }
      const authed = await t.app.inject({
        method: 'GET',
        url: '/healthz',
        headers: { authorization: 'Bearer health-token-1' },
      });
      expect(authed.json<{ account_pause: unknown }>().account_pause).toMatchObject({
        reason: 'provider answered 403: account acme-corp is out of credits',
        status: 403,
      });
    } finally {
      await t.close();
    }
  });
});
