import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../helpers.js';

// The pages' own headers, as a browser gets them: none of them may be framed, sniffed or kept in a cache.
let t: TestApp;
beforeAll(async () => {
  t = await makeApp({});
});
afterAll(async () => {
  await t.close();
});

describe('page headers', () => {
  it.each(['/', '/batches', '/sign-in'])(
    '%s: CSP without framing, nosniff, no referrer, no-store',
    async (url) => {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['cache-control']).toBe('no-store');
    },
  );

  it.each(['/admin/queues', '/docs', '/v1/videos/vid_nope', '/healthz'])(
    '%s: not framed by another site, not sniffed',
    async (url) => {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    },
  );

  it('a page file reached by its own name under /assets/ has the page headers', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/assets/batch.html' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });

  it.each(['/v1/videos/vid_nope', '/v1/batches', '/v1/models'])(
    "%s: one user's data, kept by no cache (a shared browser after sign-out)",
    async (url) => {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.headers['cache-control']).toBe('no-store');
    },
  );
});

describe('the session cookie', () => {
  const signIn = (app: TestApp['app']) =>
    app.inject({
      method: 'POST',
      url: '/web/session',
      headers: { 'content-type': 'application/json' },
      payload: { token: 'page-headers-token' },
    });

  it('is Secure when PUBLIC_URL is https (TLS ends at a proxy in front), HttpOnly and SameSite=Strict always', async () => {
    const behindTls = await makeApp({
      API_TOKENS: 'page-headers-token',
      PUBLIC_URL: 'https://vidq.example.com',
    });
    const plain = await makeApp({ API_TOKENS: 'page-headers-token' });
    try {
      const secure = String((await signIn(behindTls.app)).headers['set-cookie']);
      expect(secure).toMatch(/^vidq_session=[^;]+;.*; Secure/);
      expect(secure).toMatch(/HttpOnly/);
      expect(secure).toMatch(/SameSite=Strict/);
      // Signing out clears it with the same attributes, so the browser drops the cookie it holds.
      const out = await behindTls.app.inject({ method: 'DELETE', url: '/web/session' });
      expect(String(out.headers['set-cookie'])).toMatch(/; Secure/);
      // Plain http on this hop and no https PUBLIC_URL: a local run keeps working without TLS.
      expect(String((await signIn(plain.app)).headers['set-cookie'])).not.toMatch(/Secure/);
    } finally {
      await behindTls.close();
      await plain.close();
    }
  });
});
