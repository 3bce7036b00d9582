import { SECTIONS, type CatalogueModel, type Section } from './catalogue.js';

/**
 * The query of `GET /v1/models`, as the catalogue docs describe it: several values of one filter
 * (comma-separated or repeated) are OR'd, several filters AND'd, values compared case-insensitively,
 * an omitted filter filters nothing. `include` (or `details=true`) attaches sections; unknown values
 * are ignored rather than rejected.
 */

const FILTERS = [
  'id',
  'type',
  'tags',
  'modalities',
  'input_modalities',
  'output_modalities',
  'capabilities',
] as const;
type Filter = (typeof FILTERS)[number];

export type CatalogueQuery = {
  filters: Partial<Record<Filter, ReadonlySet<string>>>;
  sections: ReadonlySet<Section>;
};

/** Every value of a parameter, split on commas, trimmed, lower-cased. */
export function values(raw: unknown): string[] {
  const list = Array.isArray(raw) ? (raw as unknown[]) : [raw];
  return list
    .filter((v): v is string => typeof v === 'string')
    .flatMap((v) => v.split(','))
    .map((v) => v.trim().toLowerCase())
    .filter((v) => v !== '');
}

export function parseCatalogueQuery(query: Record<string, unknown>): CatalogueQuery {
  const filters: CatalogueQuery['filters'] = {};
  for (const name of FILTERS) {
    const wanted = values(query[name]);
    if (wanted.length > 0) filters[name] = new Set(wanted);
  }
  const include = values(query.include);
  const all = include.includes('all') || values(query.details).includes('true');
  const sections = new Set(SECTIONS.filter((s) => all || include.includes(s)));
  return { filters, sections };
}

function valuesOf(model: CatalogueModel, filter: Filter): string[] {
  switch (filter) {
    case 'id':
      return [model.id, ...model.aliases];
    case 'type':
      return [model.type];
    case 'tags':
      return model.tags;
    case 'modalities':
      return [...model.modalities.input, ...model.modalities.output];
    case 'input_modalities':
      return model.modalities.input;
    case 'output_modalities':
      return model.modalities.output;
    case 'capabilities':
      return model.capabilities;
  }
}

export function matchesQuery(model: CatalogueModel, query: CatalogueQuery): boolean {
  return FILTERS.every((filter) => {
    const wanted = query.filters[filter];
    return wanted === undefined || valuesOf(model, filter).some((v) => wanted.has(v.toLowerCase()));
  });
}
