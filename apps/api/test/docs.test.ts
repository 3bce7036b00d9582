import { afterEach, describe, expect, it } from 'vitest';
import type { RouteOptions } from 'fastify';
import { createLogger } from '@vidqueue/core/runtime';
import { LogSink } from '@vidqueue/testkit';
import { buildApp, type App } from '../src/app.js';
import { deletePrefix, testConfig } from './helpers.js';

let app: App | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

type OpenApi = { openapi: string; paths: Record<string, Record<string, { responses?: object }>> };

describe('OpenAPI at /docs', () => {
  it('documents every route the API serves, generated from the zod schemas', async () => {
    const config = testConfig({ DASHBOARD_PASSWORD: 'dashboard-secret-1' });
    app = buildApp({ config, logger: createLogger({ destination: new LogSink() }) });
    const served: string[] = [];
    app.addHook('onRoute', (route: RouteOptions) => {
      const hidden = route.schema?.hide === true;
      if (hidden || route.url.startsWith('/docs')) return;
      for (const method of [route.method].flat()) {
        if (method !== 'HEAD') served.push(`${method} ${route.url.replace(/:(\w+)/g, '{$1}')}`);
      }
    });
    await app.ready();

    const res = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json<OpenApi>();
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(served.sort());
    expect(documented.sort()).toEqual([
      'DELETE /v1/batches/{id}',
      'DELETE /v1/videos/{id}',
      'GET /healthz',
      'GET /readyz',
      'GET /v1/balance',
      'GET /v1/batches',
      'GET /v1/batches/{id}',
      'GET /v1/batches/{id}/events',
      'GET /v1/batches/{id}/results',
      'GET /v1/batches/{id}/rows',
      'GET /v1/batches/{id}/videos.zip',
      'GET /v1/models',
      'GET /v1/videos/{id}',
      'GET /v1/videos/{id}/content',
      'GET /v1/webhooks/deliveries',
      'PATCH /v1/batches/{id}',
      'POST /v1/admin/resume',
      'POST /v1/batches',
      'POST /v1/batches/{id}/retry',
      'POST /v1/videos',
      'POST /v1/webhooks/deliveries/{id}/replay',
    ]);

    const post = doc.paths['/v1/videos']?.post as {
      requestBody: {
        content: { 'application/json': { schema: { properties: object; required: string[] } } };
      };
      responses: Record<string, unknown>;
    };
    const body = post.requestBody.content['application/json'].schema;
    expect(Object.keys(body.properties).sort()).toEqual([
      'custom_id',
      'max_cost_usd',
      'metadata',
      'model',
      'prompt',
      'webhook_events',
      'webhook_url',
    ]);
    expect(body.required).toEqual(['prompt']);
    // Any other field is a parameter of the chosen model (GET /v1/models): a scalar.
    expect((body as { additionalProperties?: unknown }).additionalProperties).toEqual({
      type: ['string', 'number', 'boolean', 'null'],
    });
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['202', '400']));

    const ui = await app.inject({ method: 'GET', url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toMatch(/text\/html/);
    await deletePrefix(config);
  });
});
