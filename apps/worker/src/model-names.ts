/**
 * The names a usage-log row of a request for a model may carry, for the `model` filter of an
 * unknown-outcome lookup (`GET /v2/logs`). The reference: "A model may live on under an alias after its
 * id changed: match `id` and `aliases` together", and a row's `model` is the provider's name for it, which
 * the docs do not tie to the name the request sent. So the filter is the name sent, plus the id and every
 * alias of the model it resolves to in this worker's catalogue and in the provider's priced catalogue
 * (the live one, shared in Redis: it knows a rename the shipped catalogue does not). Missing the row
 * would make a create that did happen look absent, and the video would be made, and paid for, twice.
 */
import { MAX_LOGS_MODELS, type Catalogue } from '@vidqueue/aimlapi';
import type { PriceBook } from '@vidqueue/core/store';

export function modelNamesFrom(
  catalogue: Catalogue,
  prices: Pick<PriceBook, 'table'> | undefined,
): (model: string) => Promise<readonly string[]> {
  return async (model) => {
    const names = new Set([model]);
    const add = (entry: { id: string; aliases: readonly string[] } | undefined): void => {
      if (entry === undefined) return;
      names.add(entry.id);
      for (const alias of entry.aliases) names.add(alias);
    };
    add(catalogue.get(model));
    // Prices that cannot be read leave the names the catalogue knows: the lookup still runs.
    const table = await prices?.table().catch(() => undefined);
    if (table !== undefined) for (const name of [...names]) add(table.byName.get(name));
    return [...names].slice(0, MAX_LOGS_MODELS);
  };
}
