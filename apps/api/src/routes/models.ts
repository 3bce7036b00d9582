import type { FastifyPluginCallbackZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import { listModels, type Catalogue } from '@vidqueue/aimlapi';

const ParameterSchema = z.object({
  type: z.enum(['string', 'integer', 'number', 'boolean']),
  required: z.boolean().describe('Only prompt is required'),
  description: z.string().describe("The provider's description"),
  default: z
    .union([z.string(), z.number(), z.boolean()])
    .optional()
    .describe("The provider's default: what a request that leaves the field out gets"),
  values: z
    .array(z.union([z.string(), z.number()]))
    .optional()
    .describe('Allowed values (an enum)'),
  minimum: z.number().optional(),
  maximum: z.number().optional(),
  min_length: z.number().optional(),
  max_length: z.number().optional(),
  notes: z
    .array(z.string())
    .optional()
    .describe('Where a default or rule needs a word more than the docs give'),
});

const ModelSchema = z
  .object({
    id: z.string(),
    aliases: z.array(z.string()).describe('Other names the provider answers to'),
    label: z.string(),
    description: z.string(),
    default: z.boolean().describe('True for the model used when a request names none'),
    parameters: z.record(z.string(), ParameterSchema).describe('Every field a request may set, prompt first'),
    not_offered: z
      .record(z.string(), z.string())
      .describe("Fields of the provider's schema vidqueue does not offer (image inputs, lists…), and why"),
    expected_seconds: z
      .record(z.string(), z.number())
      .describe('Typical seconds from submission to a finished video, by video duration'),
    expected_seconds_guess: z
      .boolean()
      .describe('True when expected_seconds is a guess (seconds of video × a factor), not a measurement'),
  })
  .meta({ id: 'Model' });

export const modelRoutes: FastifyPluginCallbackZod<{ catalogue: Catalogue; defaultModel: string }> = (
  app,
  { catalogue, defaultModel },
  done,
) => {
  // Made once: the catalogue does not change while the process runs (vidq models update → restart).
  const models = listModels(catalogue, defaultModel);
  app.get(
    '/v1/models',
    {
      schema: {
        tags: ['models'],
        summary: 'Every text-to-video model and the fields each one takes',
        description:
          "From the catalogue this process runs with (shipped, or the local file `vidq models update` wrote): each model's fields with their type, allowed values or bounds, the provider's default and description; fields of the provider's schema that vidqueue does not offer (image inputs…) with the reason; expected generation seconds (measured, or marked as a guess).",
        response: { 200: z.array(ModelSchema) },
      },
    },
    () => models,
  );
  done();
};
