/**
 * A catalogue in use: the shipped one (generated from the provider's schemas) or a local override
 * written by `vidq models update`. Lookups by id or alias; every process holds one and passes it to
 * whatever validates or schedules (nothing here is a mutable global).
 */
import { CatalogueDataSchema } from './file-schema.js';
import generated from './catalogue.generated.json' with { type: 'json' };
import type { CatalogueData, CatalogueModel, ExcludedModel } from './types.js';

export type Catalogue = {
  readonly data: CatalogueData;
  /** The offered models, in catalogue order. */
  readonly models: readonly CatalogueModel[];
  /** Their ids. */
  readonly ids: readonly string[];
  /** Every field name some model offers (`prompt` included): the parameter columns of a batch file. */
  readonly fieldNames: ReadonlySet<string>;
  /** An offered model by id or alias (never inherited names such as "constructor"). */
  get(idOrAlias: string): CatalogueModel | undefined;
  /** An excluded model by id or alias, with the reason. */
  excluded(idOrAlias: string): ExcludedModel | undefined;
  /** One line for logs and messages: where it comes from and how many models it has. */
  describe(): string;
};

export class CatalogueError extends Error {
  override name = 'CatalogueError';
}

/** A catalogue over checked data (throws CatalogueError naming the first problems). */
export function createCatalogue(raw: unknown): Catalogue {
  const parsed = CatalogueDataSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new CatalogueError(`not a valid catalogue: ${problems.join('; ')}`);
  }
  const data = parsed.data;
  const byName = new Map<string, CatalogueModel>();
  for (const model of data.models) {
    for (const name of [model.id, ...model.aliases]) byName.set(name, model);
  }
  const excludedByName = new Map<string, ExcludedModel>();
  for (const e of data.excluded) {
    for (const name of [e.id, ...e.aliases]) if (!byName.has(name)) excludedByName.set(name, e);
  }
  const fieldNames = new Set(data.models.flatMap((m) => Object.keys(m.fields)));
  const source =
    data.source.kind === 'snapshot'
      ? `shipped catalogue (docs snapshot ${data.source.date})`
      : `catalogue fetched from ${data.source.url} at ${data.source.fetchedAt}`;
  return {
    data,
    models: data.models,
    ids: data.models.map((m) => m.id),
    fieldNames,
    get: (name) => byName.get(name),
    excluded: (name) => excludedByName.get(name),
    describe: () => `${source}: ${data.models.length} models, ${data.excluded.length} excluded`,
  };
}

let shipped: Catalogue | undefined;

/** The catalogue generated from the committed docs snapshot (`catalogue.generated.json`). */
export function shippedCatalogue(): Catalogue {
  return (shipped ??= createCatalogue(generated));
}
