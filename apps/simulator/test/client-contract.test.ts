import { createAimlApiClient, isAimlApiError, type AimlApiClient, type Generation } from '@vidqueue/aimlapi';
import { afterEach, describe, expect, it } from 'vitest';
import type { StartSimulatorOptions } from '../src/index.js';
import { KEY, MODEL, startTestSimulator, type TestSimulator } from './helpers.js';

/** The project's own provider client (`@vidqueue/aimlapi`) understands every answer the simulator gives. */
describe('contract with @vidqueue/aimlapi', () => {
  let t: TestSimulator | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  async function setup(options: StartSimulatorOptions = {}): Promise<AimlApiClient> {
    t = await startTestSimulator(options);
    return createAimlApiClient({ apiKey: KEY, baseUrl: t.url, timeoutMs: 5000 });
  }

  async function kindOf(
    promise: Promise<unknown>,
  ): Promise<{ kind: string; status?: number; retryAfterMs?: number }> {
    try {
      await promise;
    } catch (err) {
      if (isAimlApiError(err)) return { kind: err.kind, status: err.status, retryAfterMs: err.retryAfterMs };
      throw err;
    }
    throw new Error('expected a failure');
  }

  async function finish(client: AimlApiClient, id: string): Promise<Generation> {
    let last: Generation | undefined;
    await expect
      .poll(
        async () => {
          last = await client.get(id);
          return last.phase;
        },
        { interval: 20, timeout: 5000 },
      )
      .not.toBe('pending');
    return last!;
  }

  for (const legacy of [false, true]) {
    it(`completes a generation with URL and cost (${legacy ? 'legacy' : 'current'} spellings)`, async () => {
      const client = await setup({ generationMs: 150, legacy });
      const created = await client.create({ model: MODEL, prompt: 'a paper boat on a river', duration: 5 });
      expect(created).toMatchObject({ phase: 'pending', status: legacy ? 'waiting' : 'queued' });
      const done = await finish(client, created.id);
      expect(done).toMatchObject({
        id: created.id,
        phase: 'completed',
        status: legacy ? 'succeeded' : 'completed',
        creditsUsed: 200_000,
      });
      expect(done.videoUrl).toMatch(new RegExp(`^${t!.url}/files/`));
      if (!legacy) expect(done).toMatchObject({ usdSpent: 0.1, contentType: 'video/mp4' });
    });
  }

  it('reads a failed generation with its message', async () => {
    const client = await setup({ generationMs: 50, faults: { fail: 1 } });
    const created = await client.create({ model: MODEL, prompt: 'doomed' });
    const done = await finish(client, created.id);
    expect(done).toMatchObject({ phase: 'failed', status: 'error' });
    expect(done.error).toMatch(/failed to generate/);
  });

  it('classifies every error answer and dropped connection', async () => {
    const client = await setup({ errorStyle: 'mixed' });
    const id = (await client.create({ model: MODEL, prompt: 'p' })).id;

    expect(await kindOf(client.create({ model: MODEL, prompt: 'p', aspect_ratio: '16:9' }))).toMatchObject({
      kind: 'permanent',
      status: 400,
    });
    expect(await kindOf(client.get('no-such-id'))).toMatchObject({ kind: 'permanent', status: 404 });

    for (let i = 0; i < 3; i += 1) {
      // mixed style: plain, problem+json, string statusCode in turn
      t!.sim.configure({ createFaults: { rate_limit: 1 } });
      expect(await kindOf(client.create({ model: MODEL, prompt: 'p' }))).toMatchObject({
        kind: 'transient',
        status: 429,
        retryAfterMs: 1000,
      });
      t!.sim.configure({ createFaults: { rate_limit: 0, out_of_credits: 1 } });
      expect(await kindOf(client.create({ model: MODEL, prompt: 'p' }))).toMatchObject({
        kind: 'account',
        status: 403,
      });
      t!.sim.configure({ createFaults: { out_of_credits: 0, server_error: 1 } });
      const fault = await kindOf(client.create({ model: MODEL, prompt: 'p' }));
      // 500/503: refused, retry; 502/504 on a create: maybe created (a gateway may have passed it on).
      expect(fault.kind).toBe([502, 504].includes(fault.status!) ? 'unknown_outcome' : 'transient');
      expect([500, 502, 503, 504]).toContain(fault.status);
      t!.sim.configure({ createFaults: { server_error: 0 } });
    }
    t!.sim.configure({ statusFaults: { server_error: 1 } });
    for (let i = 0; i < 8; i += 1) expect((await kindOf(client.get(id))).kind).toBe('transient');
    t!.sim.configure({ statusFaults: { server_error: 0 } });

    t!.sim.configure({ createFaults: { drop: 1 }, statusFaults: { drop: 1 } });
    expect((await kindOf(client.create({ model: MODEL, prompt: 'p' }))).kind).toBe('unknown_outcome');
    expect((await kindOf(client.get(id))).kind).toBe('transient');
  });

  it('is refused with an account error when the key is not accepted', async () => {
    await setup({ apiKeys: ['the-right-key'] });
    const wrong = createAimlApiClient({ apiKey: 'a-wrong-key', baseUrl: t!.url });
    expect(await kindOf(wrong.create({ model: MODEL, prompt: 'p' }))).toMatchObject({
      kind: 'account',
      status: 401,
    });
  });

  for (const costOn of ['create', 'completed', 'both'] as const) {
    it(`reads the cost wherever it is reported (costOn ${costOn})`, async () => {
      const client = await setup({ generationMs: 100, costOn });
      const created = await client.create({ model: MODEL, prompt: 'priced', duration: 10 });
      if (costOn === 'completed') expect(created.usdSpent).toBeUndefined();
      else expect(created).toMatchObject({ creditsUsed: 400_000, usdSpent: 0.2 });
      const done = await finish(client, created.id);
      if (costOn === 'create') expect(done.usdSpent).toBeUndefined();
      else expect(done).toMatchObject({ phase: 'completed', creditsUsed: 400_000, usdSpent: 0.2 });
    });
  }

  it('reads every documented pending spelling as pending', async () => {
    const client = await setup({
      generationMs: 60_000,
      pendingSpellings: ['queued', 'generating', 'waiting', 'processing', 'active'],
    });
    const { id } = await client.create({ model: MODEL, prompt: 'still going' });
    for (let i = 0; i < 10; i += 1) expect((await client.get(id)).phase).toBe('pending');
  });

  it('tells a 403 for a model outside the plan from the out-of-credits 403', async () => {
    const client = await setup({ forbiddenModels: ['openai/sora-2-t2v'], errorStyle: 'mixed' });
    for (let i = 0; i < 3; i += 1) {
      // mixed style: the message is read from the plain envelope and from problem+json alike
      let error: unknown;
      try {
        await client.create({ model: 'openai/sora-2-t2v', prompt: 'p' });
      } catch (err) {
        error = err;
      }
      expect(error).toMatchObject({ kind: 'model_not_allowed', status: 403, model: 'openai/sora-2-t2v' });
      expect(isAimlApiError(error) && error.providerMessage).toMatch(
        /is not available for your account's plan/,
      );
      t!.sim.configure({ createFaults: { out_of_credits: 1 } });
      // Out of credits mentions "plan" too, but not the model: the account.
      expect(await kindOf(client.create({ model: MODEL, prompt: 'p' }))).toMatchObject({
        kind: 'account',
        status: 403,
      });
      t!.sim.configure({ createFaults: { out_of_credits: 0 } });
    }
    // Other models keep working.
    expect((await client.create({ model: MODEL, prompt: 'p' })).phase).toBe('pending');
  });

  for (const fault of [
    'created_then_502',
    'created_then_504',
    'created_then_524',
    'created_then_408',
  ] as const) {
    it(`${fault}: an unknown outcome (the generation exists), with a short, tag-free message`, async () => {
      const client = await setup({ createFaults: { [fault]: 1 } });
      let error: unknown;
      try {
        await client.create({ model: MODEL, prompt: 'p' });
      } catch (err) {
        error = err;
      }
      expect(error).toMatchObject({ kind: 'unknown_outcome', status: Number(fault.slice(-3)) });
      const message = isAimlApiError(error) ? error.message : '';
      expect(message).not.toMatch(/[<>]/);
      expect(message.length).toBeLessThan(320);
      expect(t!.sim.stats().creates).toBe(1);
    });
  }

  it('reads an unknown pending status as pending, marked unknown; a fresh id answers 404 first', async () => {
    const client = await setup({ generationMs: 60_000, unknownStatusRate: 1, fresh404Ms: 300 });
    const { id } = await client.create({ model: MODEL, prompt: 'odd words' });
    expect(await kindOf(client.get(id))).toMatchObject({ kind: 'permanent', status: 404 });
    let answer: Generation | undefined;
    await expect
      .poll(
        async () => {
          answer = await client.get(id).catch(() => undefined);
          return answer !== undefined;
        },
        { interval: 50, timeout: 5_000 },
      )
      .toBe(true);
    expect(answer).toMatchObject({ phase: 'pending', unknownStatus: true });
    expect(['rendering', 'uploading', 'moderating']).toContain(answer!.status);
  });

  it('finds a create in the usage logs by its X-Client-Request-Id, even when its answer was lost', async () => {
    const client = await setup({ generationMs: 100, createFaults: { created_then_502: 1 } });
    const sentAt = Date.now();
    await expect(
      client.create({ model: MODEL, prompt: 'lost answer' }, { clientRequestId: 'vid_lost-1-a1b2c3d4' }),
    ).rejects.toMatchObject({ kind: 'unknown_outcome', status: 502 });
    t!.sim.configure({ createFaults: { created_then_502: 0, server_error: 1 } });
    await expect(
      client.create({ model: MODEL, prompt: 'refused' }, { clientRequestId: 'vid_refused-1-a1b2c3d4' }),
    ).rejects.toMatchObject({ status: expect.any(Number) as number });
    const page = await client.logs({
      start: new Date(sentAt - 60_000),
      end: new Date(Date.now() + 60_000),
      model: MODEL,
      limit: 100,
    });
    expect(page.hasMore).toBe(false);
    const lost = page.rows.find((r) => r.clientRequestId === 'vid_lost-1-a1b2c3d4');
    const refused = page.rows.find((r) => r.clientRequestId === 'vid_refused-1-a1b2c3d4');
    expect(lost).toMatchObject({ status: 'succeeded', model: MODEL, costUsd: 0 });
    expect(refused).toMatchObject({ status: 'failed', costUsd: 0 });
    // The lost create's row names the generation: it can be polled and completes.
    const done = await finish(client, lost!.inferenceId!);
    expect(done).toMatchObject({ phase: 'completed', usdSpent: 0.1 });
    // The refused create's inference id is no generation.
    expect(await kindOf(client.get(refused!.inferenceId!))).toMatchObject({ kind: 'permanent', status: 404 });
    // Once completed, its row carries the charge.
    const after = await client.logs({ period: '1h', model: MODEL });
    expect(after.rows.find((r) => r.clientRequestId === 'vid_lost-1-a1b2c3d4')).toMatchObject({
      costUsd: 0.1,
      creditsUsed: 200_000,
    });
  });

  it('pages the usage logs with limit and offset until has_more is false', async () => {
    const client = await setup();
    for (let i = 0; i < 7; i += 1) {
      await client.create({ model: MODEL, prompt: `row ${i}` }, { clientRequestId: `page-${i}` });
    }
    const seen: string[] = [];
    for (let offset = 0; ; offset += 3) {
      const page = await client.logs({ period: '1h', model: MODEL, limit: 3, offset });
      seen.push(...page.rows.map((r) => r.clientRequestId ?? '?'));
      if (!page.hasMore) break;
    }
    expect(seen).toEqual(['page-6', 'page-5', 'page-4', 'page-3', 'page-2', 'page-1', 'page-0']);
  });

  it('classifies the usage-log refusals: 429 transient with Retry-After, 401 account, bad query permanent', async () => {
    await setup({ apiKeys: ['the-right-key'] });
    const client = createAimlApiClient({ apiKey: 'the-right-key', baseUrl: t!.url });
    const wrong = createAimlApiClient({ apiKey: 'a-wrong-key', baseUrl: t!.url });
    expect(await kindOf(wrong.logs({ period: '1h' }))).toMatchObject({ kind: 'account', status: 401 });
    expect(
      await kindOf(client.logs({ start: '2026-08-21T10:00:00Z', end: '2026-01-01T00:00:00Z' })),
    ).toMatchObject({ kind: 'permanent', status: 400 });
    let last: { kind: string; status?: number; retryAfterMs?: number } | undefined;
    for (let i = 0; i < 205 && last === undefined; i += 1) {
      try {
        await client.logs({ period: '1h' });
      } catch (err) {
        if (!isAimlApiError(err)) throw err;
        last = { kind: err.kind, status: err.status, retryAfterMs: err.retryAfterMs };
      }
    }
    expect(last).toMatchObject({ kind: 'transient', status: 429 });
    expect(last!.retryAfterMs).toBeGreaterThan(0);
  });
});
