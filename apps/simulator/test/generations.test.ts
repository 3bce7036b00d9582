import { afterEach, describe, expect, it } from 'vitest';
import {
  KEY,
  MODEL,
  anyNumber,
  anyString,
  matching,
  startTestSimulator,
  type TestSimulator,
} from './helpers.js';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

describe('generations', () => {
  let t: TestSimulator | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('goes queued → generating → completed with a video, usage and cost headers (quoted at create too)', async () => {
    // A long queued share, so a busy machine still sees every phase.
    t = await startTestSimulator({ generationMs: 1000, queuedFraction: 0.3 });
    const created = await t.create({ model: MODEL, prompt: 'a lighthouse at dusk', duration: 5 });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({
      id: anyString,
      status: 'queued',
      video: null,
      error: null,
      meta: { usage: { credits_used: 200_000, usd_spent: 0.1 } },
    });
    const id = String(created.body.id);
    expect(created.headers.get('x-inference-id')).toBe(id);
    expect(created.headers.get('x-aimlapi-credits-used')).toBe('200000');
    expect(created.headers.get('x-aimlapi-usd-spent')).toBe('0.1');

    const seen: string[] = [];
    let last: Awaited<ReturnType<TestSimulator['check']>> | undefined;
    await expect
      .poll(
        async () => {
          last = await t!.check(id);
          const status = String(last.body.status);
          if (seen.at(-1) !== status) seen.push(status);
          return status;
        },
        { timeout: 5000, interval: 20 },
      )
      .toBe('completed');
    expect(seen).toEqual(['queued', 'generating', 'completed']);

    const done = last!;
    expect(done.status).toBe(200);
    expect(done.headers.get('x-inference-id')).toBe(id);
    expect(done.headers.get('x-aimlapi-credits-used')).toBe('200000');
    expect(done.headers.get('x-aimlapi-usd-spent')).toBe('0.1');
    const video = done.body.video as Record<string, unknown>;
    expect(done.body).toMatchObject({
      id,
      status: 'completed',
      error: null,
      meta: { usage: { credits_used: 200_000, usd_spent: 0.1 } },
    });
    expect(video).toEqual({
      url: `${t.url}/files/${String(video.file_name)}`,
      content_type: 'video/mp4',
      file_name: matching(/^[A-Za-z0-9_-]{21}_output\.mp4$/),
      file_size: anyNumber,
    });
    const file = await fetch(String(video.url));
    expect(file.status).toBe(200);
    expect((await file.arrayBuffer()).byteLength).toBe(video.file_size);
  });

  it('reports queued for the first share of the time and no cost (no fake 0) before completion', async () => {
    t = await startTestSimulator({ generationMs: 60_000 });
    const id = await t.createId();
    const pending = await t.check(id);
    expect(pending.body.status).toBe('queued');
    expect(pending.body.meta).toBeNull();
    expect(pending.headers.get('x-aimlapi-credits-used')).toBeNull();
    expect(pending.headers.get('x-aimlapi-usd-spent')).toBeNull();
    expect(t.sim.stats().in_flight).toBe(1);
  });

  it('prices a 10 s clip at twice a 5 s one', async () => {
    t = await startTestSimulator({ generationMs: 0 });
    const id = await t.createId('ten seconds', { duration: 10 });
    const done = await t.check(id);
    expect(done.body.meta).toEqual({ usage: { credits_used: 400_000, usd_spent: 0.2 } });
  });

  it('scales the generation time by duration when asked', async () => {
    t = await startTestSimulator({ generationMs: 400, scaleByDuration: true, queuedFraction: 0 });
    const short = await t.createId('five', { duration: 5 });
    const long = await t.createId('ten', { duration: 10 });
    await expect
      .poll(async () => (await t!.check(short)).body.status, { timeout: 3000, interval: 20 })
      .toBe('completed');
    expect((await t.check(long)).body.status).toBe('generating');
    await expect
      .poll(async () => (await t!.check(long)).body.status, { timeout: 3000, interval: 20 })
      .toBe('completed');
  });

  it('gives Kandinsky generations <uuid>:<model> ids, which work URL-encoded and raw', async () => {
    t = await startTestSimulator();
    const id = await t.createId();
    expect(id).toMatch(new RegExp(`^${UUID}:${MODEL}$`));
    expect(id).toContain('/');
    expect((await t.check(id)).body.id).toBe(id);
    const raw = await t.request(`/v2/video/generations?generation_id=${id}`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    expect(raw.body.id).toBe(id);
  });

  it('gives short ids when the id style says so (newer models)', async () => {
    t = await startTestSimulator({ idStyle: 'short' });
    const id = await t.createId();
    expect(id).toMatch(/^[A-Za-z0-9_-]{21}$/);
    expect((await t.check(id)).body.id).toBe(id);
  });

  it('answers 404 in provider style for an unknown id; x-inference-id only when the id looks issuable', async () => {
    t = await startTestSimulator();
    const answer = await t.check(`00000000-0000-0000-0000-000000000000:${MODEL}`);
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({
      message: `Generation with id 00000000-0000-0000-0000-000000000000:${MODEL} was not found`,
      path: '/v2/video/generations',
      requestId: matching(new RegExp(`^${UUID}$`)),
      statusCode: 404,
      timestamp: anyString,
    });
    expect(answer.headers.get('x-inference-id')).toBe(`00000000-0000-0000-0000-000000000000:${MODEL}`);
    const short = await t.check('uDXFoifRMu4rpMBtxSn3Q');
    expect(short.status).toBe(404);
    expect(short.headers.get('x-inference-id')).toBe('uDXFoifRMu4rpMBtxSn3Q');
    for (const odd of ['nope', 'a b', `${'x'.repeat(22)}`, '00000000-0000:model']) {
      const strange = await t.check(odd);
      expect(strange.status, odd).toBe(404);
      expect(strange.headers.get('x-inference-id'), odd).toBeNull();
    }
    expect(t.sim.stats().rejected.not_found).toBe(6);
  });

  it('answers 400 when generation_id is missing', async () => {
    t = await startTestSimulator();
    const answer = await t.request('/v2/video/generations', { headers: { authorization: `Bearer ${KEY}` } });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      message: 'Query validation error!',
      statusCode: 400,
      errors: [{ path: ['generation_id'], expected: 'string', received: 'undefined' }],
    });
  });

  it('echoes a valid X-Client-Request-Id and ignores an invalid one', async () => {
    t = await startTestSimulator();
    const ok = await t.create(
      { model: MODEL, prompt: 'p' },
      { 'x-client-request-id': 'job-42.attempt:1_a-b' },
    );
    expect(ok.headers.get('x-client-request-id')).toBe('job-42.attempt:1_a-b');
    const bad = await t.create(
      { model: MODEL, prompt: 'p' },
      { 'x-client-request-id': 'has spaces/and slash' },
    );
    expect(bad.headers.get('x-client-request-id')).toBeNull();
    const tooLong = await t.create({ model: MODEL, prompt: 'p' }, { 'x-client-request-id': 'a'.repeat(129) });
    expect(tooLong.headers.get('x-client-request-id')).toBeNull();
    const onError = await t.check('nope', { 'x-client-request-id': 'r1' });
    expect(onError.status).toBe(404);
    expect(onError.headers.get('x-client-request-id')).toBe('r1');
  });

  it('speaks the legacy dialect when asked: generation_id, 201, waiting/active/processing/succeeded', async () => {
    t = await startTestSimulator({ legacy: true, generationMs: 1500, queuedFraction: 0.3 });
    const created = await t.create({ model: MODEL, prompt: 'old times' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      generation_id: anyString,
      status: 'waiting',
      video: null,
      error: null,
      meta: { usage: { tokens_used: 200_000 } },
    });
    const id = String(created.body.generation_id);
    const seen: string[] = [];
    let last: Record<string, unknown> = {};
    await expect
      .poll(
        async () => {
          last = (await t!.check(id)).body;
          const status = String(last.status);
          if (seen.at(-1) !== status) seen.push(status);
          return status;
        },
        { timeout: 5000, interval: 20 },
      )
      .toBe('succeeded');
    expect(seen).toEqual(['waiting', 'active', 'processing', 'succeeded']);
    expect(last).toMatchObject({ generation_id: id, meta: { usage: { tokens_used: 200_000 } } });
    expect(last).not.toHaveProperty('id');
  });
});
