/**
 * The effective request of a validated row: what the provider will generate, with every parameter the
 * request left out filled in with the model's default (prices and generation times depend on them:
 * `duration`, `resolution`...). Stable signature: the pricing code quotes from it.
 */
import { shippedCatalogue, type Catalogue } from './catalogue.js';
import type { CatalogueModel, ParamValue } from './types.js';

export type EffectiveRequest = {
  /** The model's canonical id (an alias in the request is resolved). */
  model: string;
  /**
   * Every parameter of the request, plus each field of the model that has a default and was left out
   * (`prompt` and `model` are not parameters). A field with no published default that the request left
   * out stays absent: the provider decides (e.g. `duration` of the Seedance 1.0 models).
   */
  params: Record<string, ParamValue>;
  /** The fields filled in from defaults, in the model's field order. */
  defaulted: string[];
};

/**
 * `model` is a catalogue model or an id/alias looked up in `catalogue` (default: the shipped one);
 * `params` the validated request (its `model` and `prompt`, if present, are ignored). Throws a
 * TypeError for a model the catalogue does not offer.
 */
export function effectiveParams(
  model: string | CatalogueModel,
  params: Readonly<Record<string, unknown>>,
  catalogue: Catalogue = shippedCatalogue(),
): EffectiveRequest {
  const spec = typeof model === 'string' ? catalogue.get(model) : model;
  if (spec === undefined) throw new TypeError(`effectiveParams: unknown model ${JSON.stringify(model)}`);
  const out: Record<string, ParamValue> = {};
  for (const [name, value] of Object.entries(params)) {
    if (name === 'model' || name === 'prompt' || value === undefined || value === null) continue;
    out[name] = value as ParamValue;
  }
  const defaulted: string[] = [];
  for (const [name, field] of Object.entries(spec.fields)) {
    if (name === 'prompt' || Object.hasOwn(out, name) || field.default === undefined) continue;
    out[name] = field.default;
    defaulted.push(name);
  }
  return { model: spec.id, params: out, defaulted };
}
