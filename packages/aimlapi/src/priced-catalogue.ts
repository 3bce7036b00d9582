import { parsePricing, type Pricing } from './pricing.js';

/**
 * The provider's catalogue, `GET /v1/models?include=pricing` (account-endpoints reference): needs no
 * key, answers `{ object: 'list', data: [item…] }` with an `ETag` (`If-None-Match` → 304). Each item
 * is `{ id, aliases[], type, … , pricing }`; a model may live on under an alias after its id changed,
 * so `id` and `aliases` are matched together.
 */
export const MODELS_PATH = '/v1/models';
export const PRICING_QUERY = 'include=pricing';

/** One model of the catalogue as vidqueue keeps it: its names and its price. */
export type PricedModel = {
  id: string;
  aliases: string[];
  type?: string;
  pricing: Pricing;
};

/** What one catalogue read answered: the entries and their ETag, or "not modified" for the ETag sent. */
export type PricedCatalogueAnswer =
  { notModified: false; etag?: string; entries: PricedModel[] } | { notModified: true; etag: string };

export type PricedCatalogueRequest = {
  /** The ETag of the copy the caller holds: sent as `If-None-Match`, a 304 answers `notModified`. */
  etag?: string;
  signal?: AbortSignal;
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function entryOf(raw: unknown): PricedModel | undefined {
  if (!isRecord(raw) || typeof raw.id !== 'string' || raw.id === '') return undefined;
  const aliases = Array.isArray(raw.aliases)
    ? raw.aliases.filter((a): a is string => typeof a === 'string' && a !== '')
    : [];
  return {
    id: raw.id,
    aliases,
    ...(typeof raw.type === 'string' && { type: raw.type }),
    pricing: parsePricing(raw.pricing),
  };
}

/** The entries of a list answer, or undefined when the answer is not `{ data: [...] }`. */
export function parsePricedCatalogue(body: unknown): PricedModel[] | undefined {
  if (!isRecord(body) || !Array.isArray(body.data)) return undefined;
  return body.data.map(entryOf).filter((e): e is PricedModel => e !== undefined);
}

/** Entries by every name they answer to (id and aliases); the first entry claiming a name keeps it. */
export function indexPricedCatalogue(entries: readonly PricedModel[]): ReadonlyMap<string, PricedModel> {
  const byName = new Map<string, PricedModel>();
  for (const entry of entries) if (!byName.has(entry.id)) byName.set(entry.id, entry);
  for (const entry of entries)
    for (const alias of entry.aliases) if (!byName.has(alias)) byName.set(alias, entry);
  return byName;
}
