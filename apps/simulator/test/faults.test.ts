import { afterEach, describe, expect, it } from 'vitest';
import { KEY, MODEL, anyString, startTestSimulator, type TestSimulator } from './helpers.js';

describe('faults', () => {
  let t: TestSimulator | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('429 with Retry-After on creates; nothing is created', async () => {
    t = await startTestSimulator({ createFaults: { rate_limit: 1 }, errorStyle: 'plain' });
    const answer = await t.create({ model: MODEL, prompt: 'busy' });
    expect(answer.status).toBe(429);
    expect(answer.headers.get('retry-after')).toBe('1');
    expect(answer.body).toEqual({
      message: 'Too many requests: rate limit exceeded, please retry later',
      path: '/v2/video/generations',
      requestId: anyString,
      statusCode: 429,
      timestamp: anyString,
    });
    expect(t.sim.stats()).toMatchObject({ create_requests: 1, creates: 0, faults: { rate_limit: 1 } });
  });

  it('429 on status checks only, when only the status rate is set', async () => {
    t = await startTestSimulator({ statusFaults: { rate_limit: 1 }, retryAfterSeconds: 3 });
    const id = await t.createId();
    const answer = await t.check(id);
    expect(answer.status).toBe(429);
    expect(answer.headers.get('retry-after')).toBe('3');
    expect(t.sim.stats()).toMatchObject({ creates: 1, status_checks: 1, faults: { rate_limit: 1 } });
  });

  it('5xx answers are 500, 502, 503 and 504 "Generation timeout", and create nothing', async () => {
    t = await startTestSimulator({ faults: { server_error: 1 }, seed: 7, errorStyle: 'plain' });
    const statuses = new Set<number>();
    const messages = new Map<number, unknown>();
    for (let i = 0; i < 40; i += 1) {
      const answer = await t.create({ model: MODEL, prompt: `p${i}` });
      statuses.add(answer.status);
      messages.set(answer.status, answer.body.message);
    }
    expect([...statuses].sort()).toEqual([500, 502, 503, 504]);
    expect(messages.get(504)).toBe('Generation timeout');
    expect(t.sim.stats()).toMatchObject({ create_requests: 40, creates: 0, faults: { server_error: 40 } });
  });

  it('403 out of credits on creates, status checks unaffected', async () => {
    t = await startTestSimulator();
    const id = await t.createId();
    t.sim.configure({ faults: { out_of_credits: 1 }, errorStyle: 'plain' });
    const answer = await t.create({ model: MODEL, prompt: 'no money' });
    expect(answer.status).toBe(403);
    expect(String(answer.body.message)).toMatch(/run out of credits/);
    expect((await t.check(id)).status).toBe(200);
    expect(t.sim.stats()).toMatchObject({ creates: 1, faults: { out_of_credits: 1 } });
  });

  it('slow answers arrive after SIM_SLOW_MS', async () => {
    t = await startTestSimulator({ faults: { slow: 1 }, slowMs: 300 });
    const started = performance.now();
    const answer = await t.create({ model: MODEL, prompt: 'take your time' });
    expect(answer.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(t.sim.stats().faults.slow).toBe(1);
  });

  it('closing does not wait for slow answers: their connections are cut', async () => {
    t = await startTestSimulator({ faults: { slow: 1 }, slowMs: 60_000 });
    const pending = t.create({ model: MODEL, prompt: 'never answered' });
    await expect.poll(() => t!.sim.stats().faults.slow).toBe(1);
    const started = performance.now();
    await t.close();
    t = undefined;
    await expect(pending).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('drop on create: the socket is cut AFTER the generation was created (unknown outcome)', async () => {
    t = await startTestSimulator({ createFaults: { drop: 1 }, generationMs: 60_000 });
    await expect(t.create({ model: MODEL, prompt: 'did it happen?' })).rejects.toThrow();
    expect(t.sim.stats()).toMatchObject({
      creates: 1,
      in_flight: 1,
      faults: { drop: 1 },
      by_prompt: { 'did it happen?': { creates: 1, status_checks: 0 } },
    });
    // A caller that blindly resubmits pays twice.
    t.sim.configure({ createFaults: { drop: 0 } });
    expect((await t.create({ model: MODEL, prompt: 'did it happen?' })).status).toBe(200);
    expect(t.sim.stats()).toMatchObject({ creates: 2, duplicate_creates: 1, in_flight: 2 });
  });

  it('drop on status checks cuts the connection without an answer', async () => {
    t = await startTestSimulator({ statusFaults: { drop: 1 } });
    const id = await t.createId('dropped check');
    await expect(t.check(id)).rejects.toThrow();
    expect(t.sim.stats()).toMatchObject({
      status_checks: 1,
      faults: { drop: 1 },
      by_prompt: { 'dropped check': { creates: 1, status_checks: 1 } },
    });
  });

  it('fail: the generation ends in status error with { name, message }, unbilled', async () => {
    t = await startTestSimulator({ faults: { fail: 1 }, generationMs: 100 });
    const id = await t.createId('doomed');
    expect((await t.check(id)).body.status).not.toBe('error');
    await expect.poll(async () => (await t!.check(id)).body.status, { interval: 20 }).toBe('error');
    const answer = await t.check(id);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      id,
      status: 'error',
      video: null,
      error: { name: 'GenerationError', message: expect.stringMatching(/failed to generate/) as unknown },
      meta: null,
    });
    expect(answer.headers.get('x-aimlapi-usd-spent')).toBeNull();
    expect(t.sim.stats()).toMatchObject({ creates: 1, failed_generations: 1, faults: { fail: 1 } });
  });

  it('fail in the legacy dialect: status failed and the error as a string', async () => {
    t = await startTestSimulator({ faults: { fail: 1 }, generationMs: 0, legacy: true });
    const id = await t.createId('doomed, old style');
    const answer = await t.check(id);
    expect(answer.body).toMatchObject({
      generation_id: id,
      status: 'failed',
      error: expect.stringMatching(/failed/) as unknown,
    });
  });

  it('mixed error style takes turns: plain, problem+json, plain with a string statusCode', async () => {
    t = await startTestSimulator({ createFaults: { rate_limit: 1 } });
    const first = await t.create({ model: MODEL, prompt: 'p' });
    const second = await t.create({ model: MODEL, prompt: 'p' });
    const third = await t.create({ model: MODEL, prompt: 'p' });
    expect(first.headers.get('content-type')).toMatch(/^application\/json/);
    expect(first.body.statusCode).toBe(429);
    expect(second.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(second.body).toEqual({
      type: 'about:blank',
      title: 'Too Many Requests',
      status: 429,
      message: 'Too many requests: rate limit exceeded, please retry later',
      error: {
        name: 'RateLimitError',
        message: 'Too many requests: rate limit exceeded, please retry later',
      },
      requestId: anyString,
    });
    expect(third.body.statusCode).toBe('429');
    expect([first, second, third].map((a) => a.status)).toEqual([429, 429, 429]);
  });

  it('problem style answers problem+json every time', async () => {
    t = await startTestSimulator({ statusFaults: { server_error: 1 }, errorStyle: 'problem' });
    const id = await t.createId();
    for (let i = 0; i < 3; i += 1) {
      const answer = await t.check(id);
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(answer.body).toMatchObject({
        status: answer.status,
        error: { name: anyString, message: anyString },
      });
    }
  });

  it('a rate between 0 and 1 hits about that share of requests, and the stats agree', async () => {
    t = await startTestSimulator({ createFaults: { rate_limit: 0.5 }, seed: 42 });
    let limited = 0;
    for (let i = 0; i < 200; i += 1) {
      if ((await t.create({ model: MODEL, prompt: `p${i}` })).status === 429) limited += 1;
    }
    expect(limited).toBeGreaterThan(60);
    expect(limited).toBeLessThan(140);
    expect(t.sim.stats()).toMatchObject({
      create_requests: 200,
      creates: 200 - limited,
      faults: { rate_limit: limited },
    });
  });

  it('fault rates can be changed over HTTP at run time', async () => {
    t = await startTestSimulator();
    const set = await t.request('/sim/config', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ createFaults: { out_of_credits: 1 } }),
    });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({
      createFaults: { out_of_credits: 1 },
      statusFaults: { out_of_credits: 0 },
      apiKeys: 0,
    });
    expect((await t.create({ model: MODEL, prompt: 'p' })).status).toBe(403);
    const bad = await t.request('/sim/config', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ faults: { rate_limit: 2 } }),
    });
    expect(bad.status).toBe(400);
    const check = await t.request(`/v2/video/generations?generation_id=x`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    expect(check.status).toBe(404);
  });
});
