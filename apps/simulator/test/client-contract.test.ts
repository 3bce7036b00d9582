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
      expect(fault.kind).toBe('transient');
      expect([500, 502, 503, 504]).toContain(fault.status);
      t!.sim.configure({ createFaults: { server_error: 0 } });
    }

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

  it('keeps the message of a 403 for a model outside the plan, which names the model', async () => {
    const client = await setup({ forbiddenModels: [MODEL] });
    let error: unknown;
    try {
      await client.create({ model: MODEL, prompt: 'p' });
    } catch (err) {
      error = err;
    }
    expect(isAimlApiError(error) && error.status).toBe(403);
    expect(isAimlApiError(error) && error.providerMessage).toMatch(
      /is not available for your account's plan/,
    );
  });
});
