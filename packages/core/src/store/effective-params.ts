/**
 * STAND-IN until `effectiveParams(model, params)` lands in `@vidqueue/aimlapi` with the generated
 * catalogue of every text-to-video model (branch `catalogue`): the request with the model's published
 * defaults filled in, from today's model table. Same signature, so switching is an import change.
 * A model the table does not know keeps its parameters as sent.
 */
import { getModel } from '@vidqueue/aimlapi';

export function effectiveParams(
  model: string,
  params: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const spec = getModel(model);
  if (spec === undefined) return { ...params };
  const defaults: Record<string, unknown> = { duration: spec.defaultDuration };
  for (const [name, param] of Object.entries(spec.parameters)) {
    if ('default' in param && param.default !== undefined) defaults[name] = param.default;
  }
  const given = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined && v !== null));
  return { ...defaults, ...given, model };
}
