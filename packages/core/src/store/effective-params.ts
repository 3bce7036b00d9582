/**
 * STAND-IN until `effectiveParams(model, params)` of `@vidqueue/aimlapi` (branch `catalogue`: the
 * generated catalogue of every text-to-video model) is on main: the same signature and answer
 * `{ model, params, defaulted }`, the request with the model's published defaults filled in, here from
 * today's model table. Throws a TypeError for a model it does not know, as that one does.
 */
import { getModel } from '@vidqueue/aimlapi';

export type EffectiveRequest = {
  model: string;
  params: Record<string, unknown>;
  defaulted: string[];
};

export function effectiveParams(model: string, params: Readonly<Record<string, unknown>>): EffectiveRequest {
  const spec = getModel(model);
  if (spec === undefined) throw new TypeError(`effectiveParams: unknown model ${JSON.stringify(model)}`);
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(params)) {
    if (name === 'model' || name === 'prompt' || value === undefined || value === null) continue;
    out[name] = value;
  }
  const defaults: Record<string, unknown> = { duration: spec.defaultDuration };
  for (const [name, param] of Object.entries(spec.parameters)) {
    if ('default' in param && param.default !== undefined) defaults[name] = param.default;
  }
  const defaulted: string[] = [];
  for (const [name, value] of Object.entries(defaults)) {
    if (Object.hasOwn(out, name)) continue;
    out[name] = value;
    defaulted.push(name);
  }
  return { model, params: out, defaulted };
}
