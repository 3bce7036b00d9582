import { createLogger } from '@vidqueue/core/runtime';
import { LogSink } from '@vidqueue/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { MODEL, anyString, startTestSimulator, type TestSimulator } from './helpers.js';

const body = JSON.stringify({ model: MODEL, prompt: 'a quiet harbour' });
const post = (t: TestSimulator, authorization?: string) =>
  t.request('/v2/video/generations', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization !== undefined && { authorization }) },
    body,
  });

describe('bearer auth', () => {
  let t: TestSimulator | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('refuses a missing or empty key with 401 in the provider style', async () => {
    t = await startTestSimulator();
    for (const authorization of [undefined, '', 'Bearer', 'Bearer    ', 'Basic dXNlcjpwYXNz']) {
      const answer = await post(t, authorization);
      expect(answer.status, String(authorization)).toBe(401);
      expect(answer.body).toEqual({
        message: 'Unauthorized: the Authorization header must be "Bearer <your API key>"',
        path: '/v2/video/generations',
        requestId: anyString,
        statusCode: 401,
        timestamp: anyString,
      });
    }
    const check = await t.request('/v2/video/generations?generation_id=x');
    expect(check.status).toBe(401);
    expect(t.sim.stats()).toMatchObject({
      create_requests: 0,
      status_checks: 0,
      rejected: { unauthorized: 6 },
    });
  });

  it('accepts any non-empty key when SIM_API_KEYS is not set', async () => {
    t = await startTestSimulator();
    expect((await post(t, 'Bearer whatever')).status).toBe(200);
    expect((await post(t, 'bearer lower-case-scheme')).status).toBe(200);
  });

  it('accepts only the configured keys when some are set', async () => {
    t = await startTestSimulator({ apiKeys: ['key-one', 'key-two'] });
    expect((await post(t, 'Bearer key-two')).status).toBe(200);
    const wrong = await post(t, 'Bearer key-three');
    expect(wrong.status).toBe(401);
    expect(wrong.body.message).toBe('Unauthorized: invalid API key');
  });

  it('needs no key for /v1/models, /sim/* and video files', async () => {
    t = await startTestSimulator();
    expect((await t.request('/v1/models')).status).toBe(200);
    expect((await t.request('/sim/stats')).status).toBe(200);
    expect((await fetch(`${t.url}/files/sample.mp4`)).status).toBe(200);
  });

  it('never logs the key, not even at trace level', async () => {
    const sink = new LogSink();
    const logger = createLogger({ level: 'trace', destination: sink });
    t = await startTestSimulator({ logger, apiKeys: ['sk-live-SECRET-abcdef123456'], generationMs: 0 });
    const secret = 'sk-live-SECRET-abcdef123456';
    await post(t, `Bearer ${secret}`);
    await post(t, 'Bearer sk-wrong-SECRET-999999999');
    const id = await t.request('/v2/video/generations', {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body,
    });
    await t.request(`/v2/video/generations?generation_id=${encodeURIComponent(String(id.body.id))}`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    await t.close();
    t = undefined;
    expect(sink.raw.length).toBeGreaterThan(3);
    expect(sink.text()).not.toContain('SECRET');
  });
});
