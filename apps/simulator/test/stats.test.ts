import { afterEach, describe, expect, it } from 'vitest';
import type { SimStats } from '../src/index.js';
import { MODEL, startTestSimulator, type TestSimulator } from './helpers.js';

describe('/sim/stats', () => {
  let t: TestSimulator | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('counts creates, status checks and duplicate creates by prompt text', async () => {
    t = await startTestSimulator({ generationMs: 60_000 });
    const a1 = await t.createId('prompt A');
    await t.createId('prompt A');
    await t.createId('prompt A');
    const b = await t.createId('prompt B');
    await t.create({ model: MODEL }); // rejected: not a create
    await t.check(a1);
    await t.check(a1);
    await t.check(b);
    await t.check('unknown-id');

    const answer = await t.request('/sim/stats');
    expect(answer.status).toBe(200);
    const stats = answer.body as SimStats;
    expect(stats).toEqual({
      create_requests: 5,
      creates: 4,
      answered_creates: 4,
      status_checks: 4,
      duplicate_creates: 2,
      failed_generations: 0,
      faults: {
        rate_limit: 0,
        server_error: 0,
        out_of_credits: 0,
        slow: 0,
        drop: 0,
        fail: 0,
        no_video: 0,
        created_then_502: 0,
        created_then_504: 0,
        created_then_524: 0,
        created_then_408: 0,
      },
      rejected: {
        unauthorized: 0,
        validation: 1,
        not_found: 1,
        forbidden_model: 0,
        no_balance: 0,
        fresh_not_found: 0,
      },
      by_prompt: {
        'prompt A': { creates: 3, status_checks: 2, last_request: { model: MODEL } },
        'prompt B': { creates: 1, status_checks: 1, last_request: { model: MODEL } },
      },
      in_flight: 4,
      since: stats.since,
    });
    expect(t.sim.stats()).toEqual(stats);
  });

  it('counts only creates that made a generation as duplicates', async () => {
    t = await startTestSimulator({ createFaults: { rate_limit: 1 } });
    await t.create({ model: MODEL, prompt: 'same' });
    await t.create({ model: MODEL, prompt: 'same' });
    t.sim.configure({ createFaults: { rate_limit: 0 } });
    await t.createId('same');
    expect(t.sim.stats()).toMatchObject({ create_requests: 3, creates: 1, duplicate_creates: 0 });
    await t.createId('same');
    expect(t.sim.stats()).toMatchObject({ creates: 2, duplicate_creates: 1 });
  });

  it('treats prompts as plain keys, even "__proto__"', async () => {
    t = await startTestSimulator();
    await t.createId('__proto__');
    await t.createId('constructor');
    const stats = (await t.request('/sim/stats')).body as SimStats;
    expect(Object.keys(stats.by_prompt).sort()).toEqual(['__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(stats.by_prompt, '__proto__')?.value).toEqual({
      creates: 1,
      status_checks: 0,
      last_request: { model: MODEL },
    });
  });

  it('keeps the body of the latest create per prompt, as received (model as named, no prompt)', async () => {
    t = await startTestSimulator();
    const veo = 'google/veo-3.1-t2v';
    const body = { model: veo, prompt: 'sent', resolution: '720p', generate_audio: false, seed: 7 };
    expect((await t.create(body)).status).toBe(200);
    expect(t.sim.stats().by_prompt.sent?.last_request).toEqual({
      model: veo,
      resolution: '720p',
      generate_audio: false,
      seed: 7,
    });
  });

  it('in_flight drops as generations finish', async () => {
    // Long enough that a busy machine still sees both in flight, short enough to wait for.
    t = await startTestSimulator({ generationMs: 1000 });
    await t.createId('one');
    await t.createId('two');
    expect(t.sim.stats().in_flight).toBe(2);
    await expect.poll(() => t!.sim.stats().in_flight, { interval: 20, timeout: 5000 }).toBe(0);
  });

  it('POST /sim/reset clears the counters and keeps generations; ?generations=true forgets them', async () => {
    t = await startTestSimulator({ generationMs: 60_000 });
    const id = await t.createId('kept');
    await t.createId('kept');
    const reset = await t.request('/sim/reset', { method: 'POST' });
    expect(reset.status).toBe(204);
    const after = t.sim.stats();
    expect(after).toMatchObject({
      create_requests: 0,
      creates: 0,
      duplicate_creates: 0,
      by_prompt: {},
      in_flight: 2,
    });
    expect((await t.check(id)).status).toBe(200);
    await t.createId('kept');
    expect(t.sim.stats()).toMatchObject({ creates: 1, duplicate_creates: 0 });

    await t.request('/sim/reset?generations=true', { method: 'POST' });
    expect(t.sim.stats().in_flight).toBe(0);
    expect((await t.check(id)).status).toBe(404);
  });

  it('reset() from the handle does the same', async () => {
    t = await startTestSimulator();
    await t.createId('x');
    t.sim.reset();
    expect(t.sim.stats().creates).toBe(0);
  });
});
