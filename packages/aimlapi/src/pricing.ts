/**
 * A model's price as the provider's catalogue publishes it (`GET /v1/models?include=pricing`), read
 * defensively, and `quote`: what one request will cost, in USD, or `null` when it cannot be known
 * ahead of the request. The rules (account-endpoints reference):
 * - read `kind` first; `price` is per `per` units (`per` is 1 for per-second rates);
 * - `variants`: the variant whose `when` matches the request's parameters (compared as text, so the
 *   schema default `"5"` matches `duration: 5`); its `unit` `second` is per second of video;
 * - `fixed`: `units: [{ name, measure, price, per }]`; a unit named `second` is per second of video.
 *   The docs show no fixed-price video model: any other unit is unpriced until we know what it means;
 * - `variable`: cannot be quoted ahead of the request: unpriced.
 * A per-second price needs the clip's length: a request without a positive `duration` (after the
 * model's defaults are filled in, see `effectiveParams`) is unpriced. Unpriced is `null`, never 0.
 */

export type PriceUnit = { name: string; measure?: string; price: number; per: number };
export type PriceVariant = {
  when: Record<string, string | number>;
  price: number;
  unit: string;
  per: number;
};

export type Pricing =
  | { kind: 'fixed'; units: PriceUnit[] }
  | { kind: 'variants'; dimensions: string[]; variants: PriceVariant[] }
  | { kind: 'variable' }
  /** A kind we do not know, or a block we could not read: unpriced. */
  | { kind: 'unknown'; raw?: string };

/** The unit a per-second price is given in. */
export const PER_SECOND_UNIT = 'second';

/** A finite, non-negative number from a number or a numeric string (a price of "0.39" counts). */
function readNumber(value: unknown): number | undefined {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && value.trim() !== ''
        ? Number(value)
        : NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `price / per`, when both are usable numbers (a price of 0 is a real price; `per` must be positive). */
function rate(price: unknown, per: unknown): { price: number; per: number } | undefined {
  const p = readNumber(price);
  const n = per === undefined ? 1 : readNumber(per);
  if (p === undefined || n === undefined || n <= 0) return undefined;
  return { price: p, per: n };
}

function unitOf(raw: unknown): PriceUnit | undefined {
  if (!isRecord(raw) || typeof raw.name !== 'string') return undefined;
  const r = rate(raw.price, raw.per);
  if (!r) return undefined;
  return { name: raw.name, ...(typeof raw.measure === 'string' && { measure: raw.measure }), ...r };
}

function variantOf(raw: unknown): PriceVariant | undefined {
  if (!isRecord(raw) || !isRecord(raw.when) || typeof raw.unit !== 'string') return undefined;
  const when: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(raw.when)) {
    if (typeof v !== 'string' && typeof v !== 'number') return undefined;
    when[k] = v;
  }
  const r = rate(raw.price, raw.per);
  return r ? { when, unit: raw.unit, ...r } : undefined;
}

/**
 * A catalogue entry's `pricing` block, or `{ kind: 'unknown' }` when it is missing or unreadable. A
 * `fixed` or `variants` block with an unreadable unit or variant keeps the readable ones (a request
 * matching none is unpriced).
 */
export function parsePricing(raw: unknown): Pricing {
  if (!isRecord(raw) || typeof raw.kind !== 'string') return { kind: 'unknown' };
  switch (raw.kind) {
    case 'fixed': {
      const units = Array.isArray(raw.units) ? raw.units.map(unitOf) : [];
      // One unreadable unit makes the whole price unknown: a partial sum would under-quote.
      if (units.length === 0 || units.some((u) => u === undefined)) return { kind: 'unknown', raw: 'fixed' };
      return { kind: 'fixed', units: units as PriceUnit[] };
    }
    case 'variants': {
      const variants = (Array.isArray(raw.variants) ? raw.variants : [])
        .map(variantOf)
        .filter((v): v is PriceVariant => v !== undefined);
      const dimensions = Array.isArray(raw.dimensions)
        ? raw.dimensions.filter((d): d is string => typeof d === 'string')
        : [];
      return { kind: 'variants', dimensions, variants };
    }
    case 'variable':
      return { kind: 'variable' };
    default:
      return { kind: 'unknown', raw: raw.kind.slice(0, 40) };
  }
}

/** Seconds of video the request asks for, or undefined when it does not say. */
function seconds(params: Readonly<Record<string, unknown>>): number | undefined {
  const value = params.duration;
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** USD for `amount` of `unit` at `price` per `per`, or null when the unit is not one we can count. */
function charge(unit: string, price: number, per: number, params: Readonly<Record<string, unknown>>) {
  if (unit !== PER_SECOND_UNIT) return null;
  const s = seconds(params);
  return s === undefined ? null : (price / per) * s;
}

function matches(variant: PriceVariant, params: Readonly<Record<string, unknown>>): boolean {
  return Object.entries(variant.when).every(([dimension, wanted]) => {
    const value = params[dimension];
    return (typeof value === 'string' || typeof value === 'number') && String(value) === String(wanted);
  });
}

/** Rounded to a micro-dollar, the smallest amount vidqueue counts. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}

/**
 * What one request costs in USD by the catalogue's price, or `null` when it cannot be told ahead of the
 * request (see the top of this file). `params` are the request's **effective** parameters: the
 * model's defaults filled in (a per-second price needs `duration`, a variant may need `resolution`).
 */
export function quote(
  pricing: Pricing | undefined,
  params: Readonly<Record<string, unknown>>,
): number | null {
  if (pricing === undefined) return null;
  switch (pricing.kind) {
    case 'fixed': {
      let total = 0;
      for (const unit of pricing.units) {
        const usd = charge(unit.name, unit.price, unit.per, params);
        if (usd === null) return null;
        total += usd;
      }
      return roundUsd(total);
    }
    case 'variants': {
      const variant = pricing.variants.find((v) => matches(v, params));
      if (!variant) return null;
      const usd = charge(variant.unit, variant.price, variant.per, params);
      return usd === null ? null : roundUsd(usd);
    }
    case 'variable':
    case 'unknown':
      return null;
  }
}
