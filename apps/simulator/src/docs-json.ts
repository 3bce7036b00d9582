import type { VideoModelSchema } from '@vidqueue/provider-schemas';

/**
 * A model's request schema in the shape of the provider's per-model OpenAPI files (the `docsJson` of
 * its catalogue entry): the create operation with its JSON request body, `model` first. Only the
 * published facts go in, so a "refresh from the catalogue" feature can be tested against the simulator.
 */
export function docsJson(schema: VideoModelSchema, serverUrl: string): Record<string, unknown> {
  return {
    openapi: '3.0.0',
    info: { title: 'AI/ML Gateway', description: '', version: '1.0', contact: {} },
    servers: [{ url: serverUrl }],
    paths: {
      '/v2/video/generations': {
        post: {
          operationId: 'VideoControllerV2_submitVideo_v2',
          parameters: [],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { model: { type: 'string', enum: [schema.model] }, ...schema.properties },
                  required: ['model', ...schema.required],
                },
              },
            },
          },
          responses: { '200': { description: 'The generation: { id, status, video, error, meta }' } },
          tags: ['Video Models'],
        },
      },
    },
    components: {
      securitySchemes: {
        'access-token': {
          scheme: 'bearer',
          bearerFormat: '<YOUR_AIMLAPI_KEY>',
          type: 'http',
          description: 'Bearer key',
        },
      },
    },
  };
}
