import { afterEach, describe, expect, it } from 'vitest';
import { makeSecretMatcher } from '../src/plugins/auth.js';
import { makeApp, type TestApp } from './helpers.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('bearer tokens (API_TOKENS set)', () => {
  it('answers 401 with WWW-Authenticate without a token, with a wrong one, or with another scheme', async () => {
    t = await makeApp({ API_TOKENS: 'alpha-token, beta-token' });
    for (const authorization of [
      undefined,
      'Bearer wrong',
      'Bearer alpha-token-x',
      'Basic YWxwaGEtdG9rZW4=',
      'alpha-token',
    ]) {
      const res = await t.app.inject({
        method: 'GET',
        url: '/v1/models',
        headers: authorization === undefined ? {} : { authorization },
      });
      expect(res.statusCode, String(authorization)).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="vidqueue"');
      expect(res.json()).toEqual({
        error: { code: 'UNAUTHORIZED', message: 'A valid bearer token is required' },
      });
    }
  });

  it('accepts every configured token', async () => {
    t = await makeApp({ API_TOKENS: 'alpha-token,beta-token' });
    for (const token of ['alpha-token', 'beta-token']) {
      const res = await t.app.inject({
        method: 'GET',
        url: '/v1/models',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.statusCode).toBe(200);
    }
  });

  it('guards every route but /healthz and /readyz, including POST, docs and unknown routes', async () => {
    t = await makeApp({ API_TOKENS: 'alpha-token' });
    const guarded = [
      { method: 'POST' as const, url: '/v1/videos', payload: { prompt: 'a fox' } },
      { method: 'GET' as const, url: '/v1/videos/vid_x' },
      { method: 'DELETE' as const, url: '/v1/videos/vid_x' },
      { method: 'GET' as const, url: '/docs/json' },
      { method: 'GET' as const, url: '/nowhere' },
    ];
    for (const req of guarded) {
      const res = await t.app.inject(req);
      expect(res.statusCode, `${req.method} ${req.url}`).toBe(401);
    }
    expect(await t.app.queue.count()).toBe(0);
    for (const url of ['/healthz', '/readyz']) {
      expect((await t.app.inject({ method: 'GET', url })).statusCode, url).toBe(200);
    }
  });
});

describe('without API_TOKENS', () => {
  it('needs no token (the server then binds loopback only)', async () => {
    t = await makeApp();
    expect((await t.app.inject({ method: 'GET', url: '/v1/models' })).statusCode).toBe(200);
  });
});

describe('makeSecretMatcher', () => {
  it('matches exactly one of the secrets, whatever the lengths', () => {
    const matches = makeSecretMatcher(['short', 'a-much-longer-secret']);
    expect(matches('short')).toBe(true);
    expect(matches('a-much-longer-secret')).toBe(true);
    expect(matches('shor')).toBe(false);
    expect(matches('short ')).toBe(false);
    expect(matches('')).toBe(false);
    expect(makeSecretMatcher([])('anything')).toBe(false);
  });
});
