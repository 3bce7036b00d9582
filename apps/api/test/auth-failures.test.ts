import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '@vidqueue/core/runtime';
import { LogSink } from '@vidqueue/testkit';
import { startApi, type RunningApi } from '../src/server.js';
import { basic, deletePrefix, testConfig } from './helpers.js';

// Credential guessing: failed checks of the bearer token, the dashboard's basic auth and the web sign-in
// count per client IP in one limiter; past AUTH_FAILURE_LIMIT the IP gets 429 until its window ends, even
// with a right credential. Real HTTP on loopback (every request here comes from 127.0.0.1), real Redis.
const TOKEN = 'right-token-5d21c7';
const PASSWORD = 'dashboard-pass-93';
const WRONG = 'guess-token-0a7f';

let running: { api: RunningApi; sink: LogSink; close(): Promise<void> } | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function start(env: Record<string, string>) {
  const config = testConfig({ PORT: '0', API_TOKENS: TOKEN, DASHBOARD_PASSWORD: PASSWORD, ...env });
  const sink = new LogSink();
  const api = await startApi({ config, logger: createLogger({ level: 'debug', destination: sink }) });
  running = {
    api,
    sink,
    async close() {
      await api.close();
      await deletePrefix(config);
    },
  };
  return running;
}

type ErrorBody = { error: { code: string; message: string } };

const bearer = (url: string, token: string) =>
  fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${token}` } });
const dashboard = (url: string, password: string) =>
  fetch(`${url}/admin/queues/api/queues`, { headers: { authorization: basic('admin', password) } });
const signIn = (url: string, token: string) =>
  fetch(`${url}/web/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  });

/** The 429 every blocked request gets: the code, a Retry-After in whole seconds within the window, no secret. */
async function expectRefused(res: Response, windowS: number): Promise<number> {
  expect(res.status).toBe(429);
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(windowS);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await res.json()) as ErrorBody;
  expect(body.error.code).toBe('TOO_MANY_AUTH_FAILURES');
  expect(body.error.message).toContain('Retry-After');
  expect(body.error.message).toContain(`${retryAfter} s`);
  for (const secret of [TOKEN, PASSWORD, WRONG]) expect(body.error.message).not.toContain(secret);
  return retryAfter;
}

function blockLines(sink: LogSink) {
  return sink.lines.filter((l) => l.level === 40 && String(l.msg).startsWith('too many failed credential'));
}

describe('failed credential checks per client IP', () => {
  it('refuses the IP after AUTH_FAILURE_LIMIT wrong tokens, the right token included, and logs the block once', async () => {
    const { api, sink } = await start({ AUTH_FAILURE_LIMIT: '4', AUTH_FAILURE_WINDOW_MS: '60000' });
    for (let i = 0; i < 4; i++) {
      const res = await bearer(api.url, `${WRONG}-${i}`);
      expect(res.status, `wrong token ${i + 1}`).toBe(401);
      expect(((await res.json()) as ErrorBody).error.code).toBe('UNAUTHORIZED');
    }
    await expectRefused(await bearer(api.url, TOKEN), 60);
    // Every credential of the IP is refused now, each kind, and a request without one too.
    await expectRefused(await dashboard(api.url, PASSWORD), 60);
    await expectRefused(await signIn(api.url, TOKEN), 60);
    await expectRefused(await fetch(`${api.url}/v1/models`), 60);
    await expectRefused(await bearer(api.url, WRONG), 60);

    // Public routes are not affected.
    for (const path of ['/healthz', '/readyz', '/sign-in', '/assets/app.css']) {
      expect((await fetch(`${api.url}${path}`)).status, path).toBe(200);
    }

    const lines = blockLines(sink);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      ip: '127.0.0.1',
      credential: 'api token',
      failures: 4,
      window_ms: 60000,
    });
    for (const secret of [TOKEN, PASSWORD, WRONG]) expect(sink.text()).not.toContain(secret);
  });

  it('never limits requests with the right token, nor requests that send no credential', async () => {
    const { api, sink } = await start({ AUTH_FAILURE_LIMIT: '3', AUTH_FAILURE_WINDOW_MS: '60000' });
    for (let i = 0; i < 10; i++) expect((await bearer(api.url, TOKEN)).status, `request ${i + 1}`).toBe(200);
    for (let i = 0; i < 10; i++) {
      expect((await fetch(`${api.url}/v1/models`)).status, `no token ${i + 1}`).toBe(401);
      expect((await fetch(`${api.url}/admin/queues/api/queues`)).status, `no password ${i + 1}`).toBe(401);
    }
    expect((await dashboard(api.url, PASSWORD)).status).toBe(200);
    expect((await signIn(api.url, TOKEN)).status).toBe(200);
    expect((await bearer(api.url, TOKEN)).status).toBe(200);
    expect(blockLines(sink)).toEqual([]);
  });

  it('counts wrong dashboard passwords: the right one is refused after the limit, and so is the token', async () => {
    const { api, sink } = await start({ AUTH_FAILURE_LIMIT: '3', AUTH_FAILURE_WINDOW_MS: '60000' });
    for (let i = 0; i < 3; i++) {
      const res = await dashboard(api.url, `wrong-password-${i}`);
      expect(res.status, `wrong password ${i + 1}`).toBe(401);
      expect(((await res.json()) as ErrorBody).error.code).toBe('DASHBOARD_UNAUTHORIZED');
    }
    await expectRefused(await dashboard(api.url, PASSWORD), 60);
    const page = await fetch(`${api.url}/admin/queues`, {
      headers: { authorization: basic('admin', PASSWORD) },
    });
    await expectRefused(page, 60);
    await expectRefused(await bearer(api.url, TOKEN), 60);
    expect(blockLines(sink)).toMatchObject([{ ip: '127.0.0.1', credential: 'dashboard' }]);
    expect(sink.text()).not.toContain(PASSWORD);
  });

  it('counts wrong web sign-ins: the right token signs in no more after the limit', async () => {
    const { api, sink } = await start({ AUTH_FAILURE_LIMIT: '3', AUTH_FAILURE_WINDOW_MS: '60000' });
    for (let i = 0; i < 3; i++) {
      const res = await signIn(api.url, `${WRONG}-${i}`);
      expect(res.status, `wrong sign-in ${i + 1}`).toBe(401);
      expect(((await res.json()) as ErrorBody).error.code).toBe('SIGN_IN_REFUSED');
    }
    const refused = await signIn(api.url, TOKEN);
    expect(refused.headers.get('set-cookie')).toBeNull();
    await expectRefused(refused, 60);
    expect(blockLines(sink)).toMatchObject([{ ip: '127.0.0.1', credential: 'web sign-in' }]);
    expect(sink.text()).not.toContain(WRONG);
  });

  it('adds up the three kinds in one count, and leaves a signed-in session cookie alone', async () => {
    const { api } = await start({ AUTH_FAILURE_LIMIT: '3', AUTH_FAILURE_WINDOW_MS: '60000' });
    const signedIn = await signIn(api.url, TOKEN);
    expect(signedIn.status).toBe(200);
    const cookie = /vidq_session=[^;]+/.exec(signedIn.headers.get('set-cookie') ?? '')?.[0];
    expect(cookie).toBeDefined();

    expect((await bearer(api.url, WRONG)).status).toBe(401);
    expect((await dashboard(api.url, 'wrong-password')).status).toBe(401);
    expect((await signIn(api.url, WRONG)).status).toBe(401);
    await expectRefused(await bearer(api.url, TOKEN), 60);
    // The page's session is no credential guess: it still reads the API.
    const withCookie = await fetch(`${api.url}/v1/models`, { headers: { cookie: cookie ?? '' } });
    expect(withCookie.status).toBe(200);
  });

  it('counts wrong tokens sent to /healthz too, which then shows a blocked client nothing more (no oracle)', async () => {
    const { api } = await start({ AUTH_FAILURE_LIMIT: '3', AUTH_FAILURE_WINDOW_MS: '60000' });
    const health = async (token: string) => {
      const res = await fetch(`${api.url}/healthz`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      return (await res.json()) as Record<string, unknown>;
    };
    // A right token sees the balance; a wrong one does not, and counts.
    expect(await health(TOKEN)).toHaveProperty('balance');
    for (let i = 0; i < 3; i++) expect(await health(`${WRONG}-${i}`)).not.toHaveProperty('balance');
    // Blocked: /healthz still answers, but tells a right guess from a wrong one no more.
    expect(await health(TOKEN)).not.toHaveProperty('balance');
    await expectRefused(await bearer(api.url, TOKEN), 60);
  });

  it('lets the client in again once its window has passed', async () => {
    const { api } = await start({ AUTH_FAILURE_LIMIT: '2', AUTH_FAILURE_WINDOW_MS: '1500' });
    expect((await bearer(api.url, WRONG)).status).toBe(401);
    expect((await bearer(api.url, WRONG)).status).toBe(401);
    expect(await expectRefused(await bearer(api.url, TOKEN), 2)).toBeLessThanOrEqual(2);
    // Refused requests do not count, so polling with the right token does not stretch the block.
    await expect
      .poll(async () => (await bearer(api.url, TOKEN)).status, { timeout: 5_000, interval: 100 })
      .toBe(200);
    // A fresh window: the limit applies again from zero.
    expect((await bearer(api.url, WRONG)).status).toBe(401);
    expect((await bearer(api.url, TOKEN)).status).toBe(200);
    expect((await bearer(api.url, WRONG)).status).toBe(401);
    await expectRefused(await bearer(api.url, TOKEN), 2);
  });

  it('counts nothing with AUTH_FAILURE_LIMIT=0', async () => {
    const { api, sink } = await start({ AUTH_FAILURE_LIMIT: '0' });
    for (let i = 0; i < 40; i++) expect((await bearer(api.url, `${WRONG}-${i}`)).status).toBe(401);
    for (let i = 0; i < 5; i++) expect((await dashboard(api.url, `wrong-${i}`)).status).toBe(401);
    for (let i = 0; i < 5; i++) expect((await signIn(api.url, `${WRONG}-${i}`)).status).toBe(401);
    expect((await bearer(api.url, TOKEN)).status).toBe(200);
    expect((await dashboard(api.url, PASSWORD)).status).toBe(200);
    expect((await signIn(api.url, TOKEN)).status).toBe(200);
    expect(blockLines(sink)).toEqual([]);
  });
});
