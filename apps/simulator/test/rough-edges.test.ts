import { afterEach, describe, expect, it } from 'vitest';
import { UNKNOWN_STATUSES } from '../src/index.js';
import { pollDice } from '../src/statuses.js';
import { KEY, MODEL, anyString, startTestSimulator, type TestSimulator } from './helpers.js';

describe('rough edges of the real provider (all off by default)', () => {
  let t: TestSimulator | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('fresh404Ms: a poll of a just-created generation answers 404, later the generation', async () => {
    t = await startTestSimulator({ generationMs: 60_000 });
    const configured = await t.request('/sim/config', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fresh404Ms: 300 }),
    });
    expect(configured.body).toMatchObject({ fresh404Ms: 300 });
    const id = await t.createId('eventually consistent');
    const early = await t.check(id);
    expect(early.status).toBe(404);
    expect(early.body).toEqual({
      message: `Generation with id ${id} was not found`,
      path: '/v2/video/generations',
      requestId: anyString,
      statusCode: 404,
      timestamp: anyString,
    });
    expect(early.headers.get('x-inference-id')).toBe(id);
    await expect.poll(async () => (await t!.check(id)).status, { interval: 25 }).toBe(200);
    expect(t.sim.stats().rejected).toMatchObject({ not_found: 0 });
    expect(t.sim.stats().rejected.fresh_not_found).toBeGreaterThanOrEqual(1);
  });

  it('pendingSpellings: pending polls draw their word from the list; completed stays completed', async () => {
    const spellings = ['queued', 'generating', 'waiting', 'processing', 'active'];
    t = await startTestSimulator({ generationMs: 60_000, pendingSpellings: spellings, seed: 3 });
    const id = await t.createId('many words');
    const seen = new Set<string>();
    for (let i = 0; i < 40; i += 1) seen.add(String((await t.check(id)).body.status));
    expect([...seen].every((s) => spellings.includes(s))).toBe(true);
    expect(seen.size).toBeGreaterThanOrEqual(4);
    t.sim.configure({ generationMs: 0 });
    const done = await t.check(await t.createId('finished'));
    expect(done.body.status).toBe('completed');
  });

  it('the status dice are seeded by generation, poll and SIM_SEED: a run replays them', () => {
    expect(pollDice(1, 'g', 3, 'pending')).toBe(pollDice(1, 'g', 3, 'pending'));
    expect(pollDice(1, 'g', 3, 'pending')).not.toBe(pollDice(1, 'g', 4, 'pending'));
    expect(pollDice(1, 'g', 3, 'pending')).not.toBe(pollDice(2, 'g', 3, 'pending'));
    const draws = Array.from({ length: 1000 }, (_, i) => pollDice(9, 'g', i, 'x'));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
  });

  it('unknownStatusRate: some pending polls answer a made-up status, never a terminal one', async () => {
    t = await startTestSimulator({ generationMs: 60_000, unknownStatusRate: 0.5, seed: 11 });
    const id = await t.createId('odd words');
    const words: string[] = [];
    for (let i = 0; i < 40; i += 1) words.push(String((await t.check(id)).body.status));
    const odd = words.filter((w) => (UNKNOWN_STATUSES as readonly string[]).includes(w));
    expect(odd.length).toBeGreaterThan(5);
    expect(odd.length).toBeLessThan(35);
    expect(words.filter((w) => !odd.includes(w)).every((w) => w === 'queued' || w === 'generating')).toBe(
      true,
    );
    t.sim.configure({ unknownStatusRate: 1, generationMs: 0 });
    expect((await t.check(await t.createId('done'))).body.status).toBe('completed');
  });

  for (const status of [502, 504] as const) {
    it(`created_then_${status}: the generation exists and is billed, the answer is a ${status} error`, async () => {
      t = await startTestSimulator({
        createFaults: { [`created_then_${status}`]: 1 },
        errorStyle: 'plain',
        generationMs: 50,
        balanceUsd: 10,
      });
      const answer = await t.create(
        { model: MODEL, prompt: 'lost answer' },
        { 'x-client-request-id': 'job-7.a1' },
      );
      expect(answer.status).toBe(status);
      expect(answer.body).toEqual({
        message: status === 502 ? 'Bad gateway: the model provider did not answer' : 'Generation timeout',
        path: '/v2/video/generations',
        requestId: anyString,
        statusCode: status,
        timestamp: anyString,
      });
      expect(answer.headers.get('x-inference-id')).toBeNull();
      expect(t.sim.stats()).toMatchObject({
        create_requests: 1,
        creates: 1,
        answered_creates: 0,
        faults: { [`created_then_${status}`]: 1 },
      });
      // The usage logs know it (by the client request id): that is how a caller can find it.
      const rows = (await t.logs()).body.data as { inference_id: string; client_request_id: string }[];
      expect(rows).toHaveLength(1);
      expect(rows[0]!.client_request_id).toBe('job-7.a1');
      const id = rows[0]!.inference_id;
      await expect.poll(async () => (await t!.check(id)).body.status, { interval: 20 }).toBe('completed');
      expect(await t.balance()).toBe(9.9);
    });
  }

  it('created_then_524 and created_then_408: an HTML page from the edge, not JSON', async () => {
    t = await startTestSimulator({ createFaults: { created_then_524: 1 } });
    const first = await fetch(`${t.url}/v2/video/generations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, prompt: 'edge' }),
    });
    expect(first.status).toBe(524);
    expect(first.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await first.text()).toContain('524 A timeout occurred');
    t.sim.configure({ createFaults: { created_then_524: 0, created_then_408: 1 } });
    const second = await fetch(`${t.url}/v2/video/generations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, prompt: 'edge' }),
    });
    expect(second.status).toBe(408);
    expect(await second.text()).toContain('408 Request Timeout');
    expect(t.sim.stats()).toMatchObject({ creates: 2, answered_creates: 0, duplicate_creates: 1 });
  });

  it('stats tell creates from answered creates: a drop and a lost answer are creates nobody learnt of', async () => {
    t = await startTestSimulator({ generationMs: 60_000 });
    await t.createId('one');
    t.sim.configure({ createFaults: { drop: 1 } });
    await expect(t.create({ model: MODEL, prompt: 'two' })).rejects.toThrow();
    t.sim.configure({ createFaults: { drop: 0, created_then_502: 1 } });
    expect((await t.create({ model: MODEL, prompt: 'three' })).status).toBe(502);
    expect(t.sim.stats()).toMatchObject({
      create_requests: 3,
      creates: 3,
      answered_creates: 1,
      duplicate_creates: 0,
    });
  });

  it('forbiddenModels: 403 naming the model and the plan; other models work; out of credits reads differently', async () => {
    t = await startTestSimulator({ forbiddenModels: ['openai/sora-2-t2v'], errorStyle: 'plain' });
    const forbidden = await t.create({ model: 'openai/sora-2-t2v', prompt: 'p' });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toEqual({
      message:
        "Model openai/sora-2-t2v is not available for your account's plan (tier). Upgrade your plan or use another model.",
      path: '/v2/video/generations',
      requestId: anyString,
      statusCode: 403,
      timestamp: anyString,
    });
    expect((await t.create({ model: MODEL, prompt: 'p' })).status).toBe(200);
    t.sim.configure({ createFaults: { out_of_credits: 1 } });
    const broke = await t.create({ model: MODEL, prompt: 'p' });
    expect(broke.status).toBe(403);
    expect(broke.body.message).toBe(
      'You have run out of credits. Top up your balance or upgrade your plan to continue.',
    );
    expect(t.sim.stats()).toMatchObject({
      creates: 1,
      rejected: { forbidden_model: 1 },
      faults: { out_of_credits: 1 },
    });
  });

  it('forbiddenModels also catches a model named by its alias', async () => {
    t = await startTestSimulator({ forbiddenModels: [MODEL], errorStyle: 'problem' });
    const answer = await t.create({ model: 'kandinsky5-distill-t2v', prompt: 'p' });
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({
      title: 'Forbidden',
      status: 403,
      error: { name: 'ForbiddenError', message: expect.stringContaining(MODEL) as unknown },
    });
  });

  it('balance: completed generations spend it; at 0 creates answer out of credits; a top-up fixes it', async () => {
    t = await startTestSimulator({ balanceUsd: 0.15, generationMs: 50, errorStyle: 'plain' });
    expect(await t.balance()).toBe(0.15);
    const first = await t.createId('first');
    // Not yet completed: nothing spent yet, so a second create passes.
    const second = await t.createId('second');
    for (const id of [first, second]) {
      await expect.poll(async () => (await t!.check(id)).body.status, { interval: 20 }).toBe('completed');
    }
    expect(await t.balance()).toBe(-0.05);
    const refused = await t.create({ model: MODEL, prompt: 'third' });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/run out of credits/);
    expect(t.sim.stats()).toMatchObject({ creates: 2, rejected: { no_balance: 1 } });
    const legacy = await t.request('/v1/billing/balance', { headers: { authorization: `Bearer ${KEY}` } });
    expect(legacy.body).toMatchObject({ balance: -100_000, lowBalance: true, lowBalanceThreshold: 10_000 });
    t.sim.configure({ balanceUsd: 10 });
    expect(await t.balance()).toBe(10);
    expect((await t.create({ model: MODEL, prompt: 'after top-up' })).status).toBe(200);
  });

  it('GET /v2/billing needs a key and answers { current_balance, currency }', async () => {
    t = await startTestSimulator();
    expect((await t.request('/v2/billing')).status).toBe(401);
    const answer = await t.request('/v2/billing', { headers: { authorization: `Bearer ${KEY}` } });
    expect(answer.body).toEqual({ current_balance: 1_000_000, currency: 'USD' });
  });

  it('a refused create carries its own x-inference-id, the one its failed log row shows', async () => {
    t = await startTestSimulator();
    const refused = await t.create({ model: MODEL, prompt: 'p', seed: 1 });
    expect(refused.status).toBe(400);
    const inferenceId = refused.headers.get('x-inference-id');
    expect(inferenceId).toMatch(/^[0-9a-f-]{36}$/);
    const rows = (await t.logs()).body.data as { inference_id: string; status: string }[];
    expect(rows).toEqual([
      expect.objectContaining({ inference_id: inferenceId, status: 'failed' }) as unknown,
    ]);
  });
});
