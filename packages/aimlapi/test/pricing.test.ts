import { describe, expect, it } from 'vitest';
import { parsePricing, quote } from '../src/index.js';

/** Hand-made blocks in the catalogue's shapes; the simulator's real catalogue is quoted in apps/simulator/test/pricing-contract.test.ts. */
const PER_SECOND = parsePricing({
  kind: 'fixed',
  units: [{ name: 'second', measure: 'video', price: 0.02, per: 1 }],
});
const RESOLUTIONS = parsePricing({
  kind: 'variants',
  dimensions: ['resolution'],
  variants: [
    { when: { resolution: '720p' }, price: 0.39, unit: 'second', per: 1 },
    { when: { resolution: '1080p' }, price: 0.65, unit: 'second', per: 1 },
  ],
});

describe('quote', () => {
  it('fixed per second: price / per × duration', () => {
    expect(quote(PER_SECOND, { duration: 5 })).toBe(0.1);
    expect(quote(PER_SECOND, { duration: '10' })).toBe(0.2);
    const perTen = parsePricing({ kind: 'fixed', units: [{ name: 'second', price: 1, per: 10 }] });
    expect(quote(perTen, { duration: 5 })).toBe(0.5);
  });

  it('variants: the docs example, a 5-second 1080p clip costs 0.65 × 5 = 3.25 USD', () => {
    expect(quote(RESOLUTIONS, { resolution: '1080p', duration: 5 })).toBe(3.25);
    expect(quote(RESOLUTIONS, { resolution: '720p', duration: 10 })).toBe(3.9);
  });

  it('variants over several dimensions compare values as text (a schema default "5" matches 5)', () => {
    const pricing = parsePricing({
      kind: 'variants',
      dimensions: ['resolution', 'duration'],
      variants: [{ when: { resolution: '360p', duration: 5 }, price: 0.03, unit: 'second', per: 1 }],
    });
    expect(quote(pricing, { resolution: '360p', duration: '5' })).toBe(0.15);
    expect(quote(pricing, { resolution: '360p', duration: 8 })).toBeNull();
  });

  it('unpriced is null, never 0: variable, unknown kinds, other units, no matching variant, no duration', () => {
    expect(quote(parsePricing({ kind: 'variable' }), { duration: 5 })).toBeNull();
    expect(quote(parsePricing({ kind: 'per_token_batch' }), { duration: 5 })).toBeNull();
    expect(quote(parsePricing(undefined), { duration: 5 })).toBeNull();
    expect(quote(undefined, { duration: 5 })).toBeNull();
    const perGeneration = parsePricing({
      kind: 'fixed',
      units: [{ name: 'generation', measure: 'request', price: 0.43, per: 1 }],
    });
    expect(quote(perGeneration, { duration: 5 })).toBeNull();
    expect(quote(RESOLUTIONS, { resolution: '4k', duration: 5 })).toBeNull();
    expect(quote(RESOLUTIONS, { duration: 5 })).toBeNull();
    expect(quote(PER_SECOND, {})).toBeNull();
    expect(quote(PER_SECOND, { duration: 0 })).toBeNull();
  });

  it('a fixed block with one unreadable unit is unpriced rather than under-quoted', () => {
    const pricing = parsePricing({
      kind: 'fixed',
      units: [
        { name: 'second', price: 0.02, per: 1 },
        { name: 'second', price: 'n/a', per: 1 },
      ],
    });
    expect(pricing.kind).toBe('unknown');
    expect(quote(pricing, { duration: 5 })).toBeNull();
  });

  it('a zero price is a price (0 USD), and sums are rounded to the micro-dollar', () => {
    expect(
      quote(parsePricing({ kind: 'fixed', units: [{ name: 'second', price: 0, per: 1 }] }), { duration: 5 }),
    ).toBe(0);
    const third = parsePricing({ kind: 'fixed', units: [{ name: 'second', price: 0.1, per: 3 }] });
    expect(quote(third, { duration: 1 })).toBe(0.033333);
  });
});
