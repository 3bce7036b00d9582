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

  it.each(['/v1/videos/vid_nope', '/v1/batches', '/v1/models'])(
    "%s: one user's data, kept by no cache (a shared browser after sign-out)",
    async (url) => {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.headers['cache-control']).toBe('no-store');
    },
  );
});
