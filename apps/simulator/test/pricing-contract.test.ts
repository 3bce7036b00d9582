import { createAimlApiClient, indexPricedCatalogue, quote, type PricedModel } from '@vidqueue/aimlapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chargeFor, findVideoModel } from '../src/index.js';
import { KEY, startTestSimulator, type TestSimulator } from './helpers.js';

/**
 * `quote` (`@vidqueue/aimlapi`) over the simulator's real catalogue, one model per pricing kind: what
 * the catalogue says a request costs is what the simulator charges for it, and what it cannot say
 * ahead of the request is `null`. The effective parameters are the request with the model's published
 * defaults filled in (what `effectiveParams` gives), e.g. happyhorse's `resolution: 1080p`, `duration: "10"`.
 */
let t: TestSimulator;
let byName: ReadonlyMap<string, PricedModel>;

beforeAll(async () => {
  t = await startTestSimulator();
  const client = createAimlApiClient({ apiKey: KEY, baseUrl: t.url, timeoutMs: 5000 });
  const answer = await client.pricedCatalogue();
  if (answer.notModified) throw new Error('a first read cannot be 304');
  byName = indexPricedCatalogue(answer.entries);
});
afterAll(() => t?.close());

function effective(model: string, params: Record<string, unknown>): Record<string, unknown> {
  const schema = findVideoModel(model)!.schema;
  const defaults = Object.fromEntries(
    Object.entries(schema.properties)
      .filter(([, p]) => p.default !== undefined)
      .map(([name, p]) => [name, p.default]),
  );
  return { ...defaults, ...params };
}

function priced(model: string, params: Record<string, unknown>) {
  const entry = byName.get(model);
  const canonical = entry!.id;
  const full = effective(canonical, params);
  return {
    quoted: quote(entry?.pricing, full),
    charged: chargeFor(findVideoModel(canonical)!.schema, params).usdSpent,
  };
}

describe('quote against the simulator catalogue', () => {
  it('fixed, per second (Kandinsky distill 0.02 USD/s): 5 s = 0.10, 10 s = 0.20, by id or alias', () => {
    expect(byName.get('sber-ai/kandinsky5-distill-t2v')!.pricing.kind).toBe('fixed');
    expect(priced('sber-ai/kandinsky5-distill-t2v', { duration: 5 })).toEqual({ quoted: 0.1, charged: 0.1 });
    expect(priced('sber-ai/kandinsky5-distill-t2v', { duration: 10 })).toEqual({ quoted: 0.2, charged: 0.2 });
    // No duration: the schema's default ("5") is the effective one.
    expect(priced('kandinsky5-distill-t2v', {})).toEqual({ quoted: 0.1, charged: 0.1 });
  });

  it('variants over resolution: the requested variant, or the default one, × duration', () => {
    expect(byName.get('alibaba/happyhorse-1-0')!.pricing.kind).toBe('variants');
    expect(priced('alibaba/happyhorse-1-0', { resolution: '720p', duration: 5 })).toEqual({
      quoted: 0.5,
      charged: 0.5,
    });
    // Defaults 1080p and "10": 0.16 × 10.
    expect(priced('alibaba/happyhorse-1-0', {})).toEqual({ quoted: 1.6, charged: 1.6 });
  });

  it('variants over resolution and duration (pixverse v5), and over duration alone (veo2)', () => {
    const pixverse = priced('pixverse/v5/text-to-video', { resolution: '360p', duration: 8 });
    expect(pixverse.quoted).toBe(pixverse.charged);
    expect(pixverse.quoted).toBeCloseTo(0.027 * 8, 6);
    expect(priced('veo2', { duration: 6 })).toEqual({ quoted: 3, charged: 3 });
  });

  it('fixed with a unit other than second (video-01 "generation"): unpriced, although the simulator charges it', () => {
    expect(byName.get('video-01')!.pricing).toMatchObject({ kind: 'fixed', units: [{ name: 'generation' }] });
    expect(priced('video-01', {})).toEqual({ quoted: null, charged: 0.43 });
  });

  it('variable (magic/text-to-video): unpriced; the simulator bills a rate the catalogue does not show', () => {
    expect(byName.get('magic/text-to-video')!.pricing).toEqual({ kind: 'variable' });
    const { quoted, charged } = priced('magic/text-to-video', { duration: 5 });
    expect(quoted).toBeNull();
    expect(charged).toBeGreaterThan(0);
  });
});
