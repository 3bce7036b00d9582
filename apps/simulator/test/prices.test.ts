import { videoModelSchema, videoModelSchemas, type VideoModelSchema } from '@vidqueue/provider-schemas';
import { afterEach, describe, expect, it } from 'vitest';
import { chargeFor, pricingOf, quoteUsd } from '../src/prices.js';
import type { CostOn } from '../src/index.js';
import { MODEL, startTestSimulator, type TestSimulator } from './helpers.js';

const schema = (id: string): VideoModelSchema => videoModelSchema(id)!;

/** Every combination of the enum values of these fields (a field without an enum is left out). */
function combinations(model: VideoModelSchema, fields: readonly string[]): Record<string, unknown>[] {
  return fields.reduce<Record<string, unknown>[]>(
    (acc, field) => {
      const property = model.properties[field];
      const choices = property && 'enum' in property && property.enum ? [...property.enum] : [undefined];
      return acc.flatMap((combo) => choices.map((v) => (v === undefined ? combo : { ...combo, [field]: v })));
    },
    [{}],
  );
}

describe('the price list (data/prices.json)', () => {
  it('prices every published model, with each kind present', () => {
    const kinds = new Set(videoModelSchemas().map((m) => pricingOf(m.model).kind));
    expect([...kinds].sort()).toEqual(['fixed', 'variable', 'variants']);
  });

  it('has a variant for every combination a request can make, defaults included', () => {
    for (const model of videoModelSchemas()) {
      const pricing = pricingOf(model.model);
      if (pricing.kind !== 'variants') continue;
      for (const combo of combinations(model, pricing.dimensions)) {
        expect(quoteUsd(model, combo), `${model.model} ${JSON.stringify(combo)}`).toBeGreaterThan(0);
      }
      expect(quoteUsd(model, {}), `${model.model} with defaults`).toBeGreaterThan(0);
    }
  });

  it('charges per second × duration, the schema default duration when absent (Kandinsky distill 0.02 USD/s)', () => {
    expect(chargeFor(schema(MODEL), {})).toEqual({ usdSpent: 0.1, creditsUsed: 200_000 });
    expect(chargeFor(schema(MODEL), { duration: 10 })).toEqual({ usdSpent: 0.2, creditsUsed: 400_000 });
    // variants by resolution: 0.10 USD/s at 720p
    expect(chargeFor(schema('alibaba/wan2.5-t2v-preview'), { resolution: '720p', duration: 5 })).toEqual({
      usdSpent: 0.5,
      creditsUsed: 1_000_000,
    });
    // neither given: the schema's defaults as written (resolution 1080p, duration "10")
    expect(chargeFor(schema('alibaba/happyhorse-1-0'), {}).usdSpent).toBe(1.6);
    // variants by resolution and duration
    expect(
      chargeFor(schema('pixverse/v5/text-to-video'), { resolution: '1080p', duration: 8 }).usdSpent,
    ).toBe(0.576);
    // variants by duration only
    expect(chargeFor(schema('veo2'), { duration: 8 }).usdSpent).toBe(3.6);
  });

  it('a fixed unit other than second is charged once per generation; variable models are unpriced but billed', () => {
    expect(pricingOf('video-01')).toEqual({
      kind: 'fixed',
      units: [{ name: 'generation', measure: 'request', price: 0.43, per: 1 }],
    });
    expect(chargeFor(schema('video-01'), {}).usdSpent).toBe(0.43);
    expect(pricingOf('magic/text-to-video')).toEqual({ kind: 'variable' });
    expect(quoteUsd(schema('magic/text-to-video'), {})).toBeUndefined();
    expect(chargeFor(schema('magic/text-to-video'), {})).toEqual({ usdSpent: 0.25, creditsUsed: 500_000 });
  });
});

describe('where the charge is reported (costOn)', () => {
  let t: TestSimulator | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const usage = { credits_used: 200_000, usd_spent: 0.1 };

  async function run(costOn: CostOn) {
    // 1 s queued: the first check lands while queued even on a loaded machine.
    t = await startTestSimulator({ costOn, generationMs: 2000, queuedFraction: 0.5 });
    const created = await t.create({ model: MODEL, prompt: `cost on ${costOn}` });
    const id = String(created.body.id);
    const pending = await t.check(id);
    expect(pending.body.status).toBe('queued');
    await expect
      .poll(async () => (await t!.check(id)).body.status, { interval: 20, timeout: 5_000 })
      .toBe('completed');
    const done = await t.check(id);
    const again = await t.check(id);
    return { created, pending, done, again };
  }

  const headers = (a: { headers: Headers }) => [
    a.headers.get('x-aimlapi-credits-used'),
    a.headers.get('x-aimlapi-usd-spent'),
  ];

  it('both (default): the create answer quotes it, every completed poll reports it, pending polls nothing', async () => {
    const { created, pending, done, again } = await run('both');
    expect(created.body.meta).toEqual({ usage });
    expect(headers(created)).toEqual(['200000', '0.1']);
    expect(pending.body.meta).toBeNull();
    expect(headers(pending)).toEqual([null, null]);
    for (const answer of [done, again]) {
      expect(answer.body.meta).toEqual({ usage });
      expect(headers(answer)).toEqual(['200000', '0.1']);
    }
  });

  it('create: only the create answer carries it (no fake 0 anywhere else)', async () => {
    const { created, pending, done } = await run('create');
    expect(created.body.meta).toEqual({ usage });
    expect(headers(created)).toEqual(['200000', '0.1']);
    for (const answer of [pending, done]) {
      expect(answer.body.meta).toBeNull();
      expect(headers(answer)).toEqual([null, null]);
    }
  });

  it('completed: only completed polls carry it', async () => {
    const { created, pending, done } = await run('completed');
    expect(created.body.meta).toBeNull();
    expect(headers(created)).toEqual([null, null]);
    expect(headers(pending)).toEqual([null, null]);
    expect(done.body.meta).toEqual({ usage });
    expect(headers(done)).toEqual(['200000', '0.1']);
  });

  it('a failed generation is never billed: no usage on its polls, a zero-cost failed log row, balance unchanged', async () => {
    t = await startTestSimulator({ faults: { fail: 1 }, generationMs: 50, balanceUsd: 5 });
    const created = await t.create({ model: MODEL, prompt: 'doomed' });
    // The create answer is a quote made before the outcome is known.
    expect(created.body.meta).toEqual({ usage });
    const id = String(created.body.id);
    await expect.poll(async () => (await t!.check(id)).body.status, { interval: 20 }).toBe('error');
    const failed = await t.check(id);
    expect(failed.body.meta).toBeNull();
    expect(headers(failed)).toEqual([null, null]);
    const rows = (await t.logs()).body.data as { status: string; cost: unknown; inference_id: string }[];
    expect(rows).toEqual([
      expect.objectContaining({
        inference_id: id,
        status: 'failed',
        cost: { usd: 0, credits: 0 },
      }) as unknown,
    ]);
    expect(await t.balance()).toBe(5);
  });

  it('other models cost their own catalogue price', async () => {
    t = await startTestSimulator({ generationMs: 0 });
    const created = await t.create({
      model: 'openai/sora-2-pro-t2v',
      prompt: 'p',
      resolution: '720p',
      duration: 8,
    });
    expect(created.body.meta).toEqual({ usage: { credits_used: 4_800_000, usd_spent: 2.4 } });
    const done = await t.check(String(created.body.id));
    expect(done.body.meta).toEqual({ usage: { credits_used: 4_800_000, usd_spent: 2.4 } });
  });
});
