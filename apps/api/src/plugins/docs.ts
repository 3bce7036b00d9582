import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, jsonSchemaTransformObject } from '@fastify/type-provider-zod';

export const DOCS_PATH = '/docs';

/**
 * The OpenAPI document, generated from the zod route schemas, at /docs/json (and /docs/yaml), and
 * Swagger UI at /docs. Registered before the routes so @fastify/swagger sees each one.
 */
export const docsPlugin = fp(
  async (app: FastifyInstance, options: { tokensRequired: boolean }) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'vidqueue API',
          description:
            'Text prompts to videos through the AI/ML API, queued on BullMQ. Errors are `{ "error": { "code", "message", "details"? } }`.',
          version: '0.1.0',
        },
        components: {
          securitySchemes: {
            bearer: {
              type: 'http',
              scheme: 'bearer',
              description:
                'One of API_TOKENS. Without a valid token: 401 `UNAUTHORIZED`. A client IP that sent AUTH_FAILURE_LIMIT wrong credentials (tokens, the dashboard password, web sign-ins) within AUTH_FAILURE_WINDOW_MS gets 429 `TOO_MANY_AUTH_FAILURES` with `Retry-After` on every request that needs one, a right one included, until that window ends.',
            },
          },
        },
        ...(options.tokensRequired ? { security: [{ bearer: [] }] } : {}),
        tags: [
          { name: 'videos', description: 'One prompt, one video' },
          { name: 'batches', description: 'A CSV or JSONL file of prompts: one video per row' },
          { name: 'models', description: 'Supported models and their parameters' },
          { name: 'health', description: 'Liveness and readiness' },
        ],
      },
      transform: jsonSchemaTransform,
      transformObject: jsonSchemaTransformObject,
    });
    await app.register(swaggerUi, { routePrefix: DOCS_PATH });
  },
  { name: 'vidq-docs' },
);
