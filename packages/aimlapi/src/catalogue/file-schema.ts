/**
 * The catalogue file's schema: the shipped `catalogue.generated.json` and a local override written by
 * `vidq models update` are both checked with it before use, defaults included (a default the field
 * itself would refuse is a bad file).
 */
import { z } from 'zod';
import { readValue } from './field-value.js';
import type { CatalogueData, FieldSpec } from './types.js';

const base = {
  description: z.string().optional(),
  required: z.boolean().optional(),
  notes: z.array(z.string()).optional(),
};
const bound = z.number().finite();
const count = z.number().int().min(0);

export const FieldSpecSchema = z.discriminatedUnion('type', [
  z.strictObject({
    ...base,
    type: z.literal('string'),
    enum: z.array(z.string()).min(1).optional(),
    minLength: count.optional(),
    maxLength: count.optional(),
    default: z.string().optional(),
  }),
  z.strictObject({
    ...base,
    type: z.literal('integer'),
    enum: z.array(z.number().int()).min(1).optional(),
    minimum: bound.optional(),
    maximum: bound.optional(),
    default: z.number().int().optional(),
  }),
  z.strictObject({
    ...base,
    type: z.literal('number'),
    enum: z.array(bound).min(1).optional(),
    minimum: bound.optional(),
    maximum: bound.optional(),
    default: bound.optional(),
  }),
  z.strictObject({ ...base, type: z.literal('boolean'), default: z.boolean().optional() }),
]);

const ModelIdSchema = z.string().min(1).max(200);

export const CatalogueModelSchema = z
  .strictObject({
    id: ModelIdSchema,
    aliases: z.array(ModelIdSchema),
    label: z.string(),
    description: z.string(),
    fields: z.record(z.string().min(1), FieldSpecSchema),
    notOffered: z.record(z.string(), z.string()),
    expectedSeconds: z.record(z.string().regex(/^\d+$/), z.number().positive()).optional(),
    expectedSecondsNote: z.string().optional(),
    source: z.string(),
  })
  .superRefine((model, ctx) => {
    const prompt = model.fields.prompt;
    if (prompt?.type !== 'string' || prompt.required !== true) {
      ctx.addIssue({ code: 'custom', path: ['fields', 'prompt'], message: 'must be a required string' });
    }
    for (const [name, field] of Object.entries(model.fields) as [string, FieldSpec][]) {
      if (field.default !== undefined && 'rule' in readValue(field, field.default)) {
        ctx.addIssue({
          code: 'custom',
          path: ['fields', name, 'default'],
          message: 'is not an allowed value',
        });
      }
      if (name !== 'prompt' && field.required === true) {
        ctx.addIssue({ code: 'custom', path: ['fields', name], message: 'only prompt may be required' });
      }
      if (name === 'model')
        ctx.addIssue({ code: 'custom', path: ['fields', name], message: 'is not a field' });
    }
  });

export const CatalogueDataSchema: z.ZodType<CatalogueData> = z
  .strictObject({
    about: z.string(),
    source: z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('snapshot'), date: z.string(), docs: z.string() }),
      z.strictObject({ kind: z.literal('provider'), url: z.string(), fetchedAt: z.string() }),
    ]),
    models: z.array(CatalogueModelSchema).min(1),
    excluded: z.array(
      z.strictObject({ id: ModelIdSchema, aliases: z.array(ModelIdSchema), reason: z.string() }),
    ),
  })
  .superRefine((data, ctx) => {
    const seen = new Set<string>();
    data.models.forEach((model, i) => {
      for (const name of [model.id, ...model.aliases]) {
        if (seen.has(name)) {
          ctx.addIssue({ code: 'custom', path: ['models', i, 'id'], message: `${name} is named twice` });
        }
        seen.add(name);
      }
    });
  });
