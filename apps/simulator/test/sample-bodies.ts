import type { PropertySchema, VideoModelSchema } from '@vidqueue/provider-schemas';

/** A value the published schema accepts: the first enum member, else the smallest value it allows. */
export function sampleValue(schema: PropertySchema): unknown {
  if ('enum' in schema && schema.enum !== undefined) return schema.enum[0];
  switch (schema.type) {
    case 'string':
      return schema.format === 'uri' ? 'https://example.com/input.png' : 'a red fox in the snow';
    case 'integer':
      return schema.minimum ?? 1;
    case 'number':
      return schema.minimum ?? 0.5;
    case 'boolean':
      return true;
    case 'array':
      return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () => sampleValue(schema.items));
    case 'object':
      return Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([name, child]) => [name, sampleValue(child)]),
      );
  }
}

/** The smallest body the model takes: `model` and its required fields only. */
export function minimalBody(model: VideoModelSchema): Record<string, unknown> {
  const body: Record<string, unknown> = { model: model.model };
  for (const name of model.required) body[name] = sampleValue(model.properties[name]!);
  return body;
}

/** A body that sets every published field. */
export function fullBody(model: VideoModelSchema): Record<string, unknown> {
  const body: Record<string, unknown> = { model: model.model };
  for (const [name, property] of Object.entries(model.properties)) body[name] = sampleValue(property);
  return body;
}
