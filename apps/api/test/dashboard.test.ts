import { afterEach, describe, expect, it } from 'vitest';
import { basic, makeApp, type TestApp } from './helpers.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const PASSWORD = 'dashboard-secret-1';

describe('Bull Board at /admin/queues', () => {
  it('asks for basic credentials with WWW-Authenticate, and rejects wrong ones', async () => {
    t = await makeApp({ DASHBOARD_USER: 'ops', DASHBOARD_PASSWORD: PASSWORD });
    for (const authorization of [
      undefined,
      basic('ops', 'wrong-password'),
      basic('admin', PASSWORD),
      'Bearer x',
    ]) {
      const res = await t.app.inject({
        method: 'GET',
        url: '/admin/queues',
        headers: authorization === undefined ? {} : { authorization },
      });
      expect(res.statusCode, String(authorization)).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Basic realm="vidqueue dashboard"/);
      expect(res.json<{ error: { code: string } }>().error.code).toBe('DASHBOARD_UNAUTHORIZED');
    }
  });

  it('serves the board, its static assets and its JSON API with the credentials', async () => {
    t = await makeApp({ DASHBOARD_USER: 'ops', DASHBOARD_PASSWORD: PASSWORD });
    const auth = { authorization: basic('ops', PASSWORD) };
    const page = await t.app.inject({ method: 'GET', url: '/admin/queues', headers: auth });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('<base href="/admin/queues/"');

    // Every script and stylesheet the page names loads through the same credentials.
    const assets = [...page.body.matchAll(/(?:src|href)="(static\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
    expect(assets.some((a) => a.endsWith('.js'))).toBe(true);
    expect(assets.some((a) => a.endsWith('.css'))).toBe(true);
    for (const asset of assets) {
      const url = `/admin/queues/${asset}`;
      const ok = await t.app.inject({ method: 'GET', url, headers: auth });
      expect(ok.statusCode, url).toBe(200);
      expect(ok.headers['content-type'], url).toMatch(/javascript|css/);
      const denied = await t.app.inject({ method: 'GET', url });
      expect(denied.statusCode, url).toBe(401);
    }

    const api = await t.app.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: auth });
    expect(api.statusCode).toBe(200);
    expect(api.json<{ queues: { name: string }[] }>().queues.map((q) => q.name)).toEqual([
      'generations',
      'archive',
      'webhooks',
    ]);
    expect((await t.app.inject({ method: 'GET', url: '/admin/queues/api/queues' })).statusCode).toBe(401);
  });

  it('uses the dashboard credentials, not the bearer token, when API_TOKENS is set too', async () => {
    t = await makeApp({ DASHBOARD_PASSWORD: PASSWORD, API_TOKENS: 'api-token-1' });
    const page = await t.app.inject({
      method: 'GET',
      url: '/admin/queues',
      headers: { authorization: basic('admin', PASSWORD) },
    });
    expect(page.statusCode).toBe(200);
    const bearer = await t.app.inject({
      method: 'GET',
      url: '/admin/queues',
      headers: { authorization: 'Bearer api-token-1' },
    });
    expect(bearer.statusCode).toBe(401);
  });

  it('without DASHBOARD_PASSWORD answers 404 JSON saying how to enable it', async () => {
    t = await makeApp();
    for (const url of ['/admin/queues', '/admin/queues/api/queues', '/admin/queues/static/x.js']) {
      const res = await t.app.inject({ method: 'GET', url, headers: { authorization: basic('admin', 'x') } });
      expect(res.statusCode, url).toBe(404);
      const body = res.json<{ error: { code: string; message: string } }>();
      expect(body.error.code).toBe('DASHBOARD_DISABLED');
      expect(body.error.message).toContain('DASHBOARD_PASSWORD');
    }
  });
});
