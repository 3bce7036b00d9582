import type { VideoModelSchema } from '@vidqueue/provider-schemas';
import priceList from '../data/prices.json' with { type: 'json' };

/**
 * The simulator's own price list (`data/prices.json`: plausible figures, not the provider's) in the
 * catalogue's pricing shapes, and the charge of one generation: the catalogue price of that request.
 */

export type FixedUnit = { name: string; measure: string; price: number; per: number };
export type PriceVariant = {
  when: Record<string, string | number>;
  price: number;
  unit: string;
  per: number;
};
export type Pricing =
  | { kind: 'fixed'; units: FixedUnit[] }
  | { kind: 'variants'; dimensions: string[]; variants: PriceVariant[] }
  | { kind: 'variable' };

type PriceEntry = {
  pricing: Pricing;
  /** Clip length charged when neither the request nor the schema gives a duration. */
  assumedSeconds?: number;
  /** Hidden per-second charge of a `variable` model (its catalogue entry quotes nothing). */
  billedPerSecond?: number;
};

export const CREDITS_PER_USD: number = priceList.creditsPerUsd;
const PRICES = priceList.models as Readonly<Record<string, PriceEntry>>;

/** What a generation costs; credits at the provider's 2 000 000 per USD (3 900 000 credits = 1.95 USD). */
export type Charge = { usdSpent: number; creditsUsed: number };

export function chargeOf(usd: number): Charge {
  const usdSpent = Math.round(usd * 1e6) / 1e6;
  return { usdSpent, creditsUsed: Math.round(usdSpent * CREDITS_PER_USD) };
}

function entryOf(model: string): PriceEntry {
  const entry = Object.hasOwn(PRICES, model) ? PRICES[model] : undefined;
  if (entry === undefined) throw new Error(`the simulator has no price for ${model}`);
  return entry;
}

/** The catalogue's `pricing` block of a video model. */
export function pricingOf(model: string): Pricing {
  return entryOf(model).pricing;
}

/** A request parameter's value, or the schema's default as written when the request leaves it out. */
function valueOf(schema: VideoModelSchema, params: Record<string, unknown>, name: string): unknown {
  return params[name] ?? schema.properties[name]?.default;
}

/**
 * Seconds of video a request asks for: its `duration`, else the schema's default (a string such as
 * `"5"` in the docs is read as a number), else the price list's assumption, else 5.
 */
export function clipSeconds(schema: VideoModelSchema, params: Record<string, unknown>): number {
  const value = Number(valueOf(schema, params, 'duration'));
  if (Number.isFinite(value) && value > 0) return value;
  return entryOf(schema.model).assumedSeconds ?? 5;
}

const perUnit = (unit: string, seconds: number) => (unit === 'second' ? seconds : 1);

function matches(variant: PriceVariant, schema: VideoModelSchema, params: Record<string, unknown>): boolean {
  return Object.entries(variant.when).every(([dimension, wanted]) => {
    const value = valueOf(schema, params, dimension);
    // `"5"` (a schema default as written) matches a variant for duration 5.
    return (typeof value === 'string' || typeof value === 'number') && String(value) === String(wanted);
  });
}

/**
 * The catalogue price of one request (undefined: the list quotes none for it). A unit named `second`
 * is per second of video; any other unit is charged once per generation.
 */
export function quoteUsd(schema: VideoModelSchema, params: Record<string, unknown>): number | undefined {
  const pricing = pricingOf(schema.model);
  const seconds = clipSeconds(schema, params);
  switch (pricing.kind) {
    case 'fixed':
      return pricing.units.reduce((sum, u) => sum + (u.price / u.per) * perUnit(u.name, seconds), 0);
    case 'variants': {
      const variant = pricing.variants.find((v) => matches(v, schema, params));
      return variant && (variant.price / variant.per) * perUnit(variant.unit, seconds);
    }
    case 'variable':
      return undefined;
  }
}

/** What the simulator charges a completed generation of this request. */
export function chargeFor(schema: VideoModelSchema, params: Record<string, unknown>): Charge {
  const quoted = quoteUsd(schema, params);
  const hidden = (entryOf(schema.model).billedPerSecond ?? 0) * clipSeconds(schema, params);
  return chargeOf(quoted ?? hidden);
}
