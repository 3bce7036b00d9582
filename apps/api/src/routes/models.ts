import type { FastifyPluginCallbackZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import { listModels } from '@vidqueue/aimlapi';

const ParameterSchema = z.object({
  type: z.enum(['string', 'integer']),
  required: z.boolean(),
  description: z.string(),
  default: z.union([z.string(), z.number()]).optional(),
  values: z.array(z.union([z.string(), z.number()])).optional(),
  minimum: z.number().optional(),
  maximum: z.number().optional(),
  max_length: z.number().optional(),
});

const ModelSchema = z
  .object({
    id: z.string(),
    label: z.string(),
    description: z.string(),
    default: z.boolean().describe('True for the model used when a request names none'),
    parameters: z.record(z.string(), ParameterSchema),
    expected_seconds: z
      .record(z.string(), z.number())
      .describe('Typical seconds from submission to a finished video, by video duration'),
  })
  .meta({ id: 'Model' });

export const modelRoutes: FastifyPluginCallbackZod = (app, _options, done) => {
  app.get(
    '/v1/models',
    {
      schema: {
        tags: ['models'],
        summary: 'Supported models and the values each parameter accepts',
        response: { 200: z.array(ModelSchema) },
      },
    },
    () => listModels(),
  );
  done();
};
