import { describe, expect, it } from 'vitest';
import { SNAPSHOT, videoModelSchema, type PropertySchema } from '@vidqueue/provider-schemas';
import { MODELS, SUPPORTED_MODEL_IDS, validateGenerationParams, type ParamSpec } from '../src/index.js';

/**
 * The client's model table against the provider's published request schemas (the committed copy of
 * `aimlapi-video-models.json`, docs snapshot of `SNAPSHOT.date`): every model we offer exists there,
 * with the same field names, enums, defaults and bounds. Where the docs are silent we invent nothing.
 */

/** The docs write some integer defaults as strings (`"default": "5"`): the same value, their quirk. */
function sameDefault(ours: unknown, published: unknown, type: PropertySchema['type']): boolean {
  if (ours === published) return true;
  return (
    (type === 'integer' || type === 'number') &&
    typeof published === 'string' &&
    typeof ours === 'number' &&
    Number(published) === ours
  );
}

/** The published JSON type a parameter of ours stands for. */
function publishedType(spec: ParamSpec): PropertySchema['type'] {
  if (spec.type === 'enum') return spec.values.every((v) => typeof v === 'number') ? 'integer' : 'string';
  return spec.type;
}

describe(`model table against the provider's published schemas (${SNAPSHOT.date})`, () => {
  it.each(SUPPORTED_MODEL_IDS)('%s exists there with the same fields', (id) => {
    const published = videoModelSchema(id);
    expect(published, `${id} is not a published text-prompt video model`).toBeDefined();
    const ours = MODELS[id]!;
    // `prompt` is in every table row implicitly (required), the rest are the table's parameters.
    expect(['prompt', ...Object.keys(ours.parameters)].sort()).toEqual(
      Object.keys(published!.properties).sort(),
    );
    expect(published!.required).toEqual(['prompt']);
    expect(published!.properties.prompt?.type).toBe('string');
  });

  for (const id of SUPPORTED_MODEL_IDS) {
    for (const [field, spec] of Object.entries(MODELS[id]!.parameters)) {
      it(`${id} ${field}: same type, enum, default and bounds`, () => {
        const published = videoModelSchema(id)!.properties[field]!;
        expect(published.type).toBe(publishedType(spec));
        const p = published as PropertySchema & {
          enum?: readonly unknown[];
          default?: unknown;
          minimum?: number;
          maximum?: number;
          maxLength?: number;
        };
        if (spec.type === 'enum') expect([...spec.values]).toEqual(p.enum);
        else expect(p.enum, `${field}: the provider publishes an enum we do not hold`).toBeUndefined();
        const ours = 'default' in spec ? spec.default : undefined;
        expect(
          sameDefault(ours, p.default, published.type),
          `${field}: default ${JSON.stringify(ours)} vs published ${JSON.stringify(p.default)}`,
        ).toBe(true);
        // Bounds exactly as published: none where the docs give none (no rule of our own).
        const bounds =
          spec.type === 'integer'
            ? { minimum: spec.min, maximum: spec.max }
            : spec.type === 'string'
              ? { maxLength: spec.maxLength }
              : {};
        for (const [name, value] of Object.entries(bounds)) {
          expect(value, `${field}.${name}`).toBe(p[name as 'minimum' | 'maximum' | 'maxLength']);
        }
      });
    }
  }

  it('passes a value the docs do not bound through (type checked only)', () => {
    const published = videoModelSchema('sber-ai/kandinsky5-distill-t2v')!.properties.num_inference_steps!;
    expect(published).not.toHaveProperty('minimum');
    expect(published).not.toHaveProperty('maximum');
    for (const steps of [0, 1, 100, 101, 5_000]) {
      expect(
        validateGenerationParams({
          model: 'sber-ai/kandinsky5-distill-t2v',
          prompt: 'p',
          num_inference_steps: steps,
        }).ok,
      ).toBe(true);
    }
    expect(
      validateGenerationParams({
        model: 'sber-ai/kandinsky5-distill-t2v',
        prompt: 'p',
        num_inference_steps: 1.5,
      }).ok,
    ).toBe(false);
  });
});
