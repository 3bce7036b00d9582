import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { catalogueWith, presentModel } from '../catalogue.js';
import { matchesQuery, parseCatalogueQuery } from '../catalogue-query.js';
import { docsJson } from '../docs-json.js';
import { sendProviderError } from '../errors.js';
import type { SimulatorState } from '../state.js';
import { findVideoModel } from '../video-models.js';

/** A weak ETag over the whole answer, in the provider's `W/"<length>-<digest>"` form. */
function etagOf(text: string): string {
  const digest = createHash('sha1').update(text).digest('base64').replace(/=+$/, '');
  return `W/"${Buffer.byteLength(text).toString(16)}-${digest}"`;
}

/** True when `If-None-Match` names this ETag (weak comparison) or is `*`. */
function notModified(request: FastifyRequest, etag: string): boolean {
  const header = request.headers['if-none-match'];
  if (header === undefined) return false;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || bare(tag) === bare(etag));
}

/** JSON with an ETag, or 304 with an empty body when the caller already has it. */
function sendCached(request: FastifyRequest, reply: FastifyReply, body: unknown): FastifyReply {
  const text = JSON.stringify(body);
  const etag = etagOf(text);
  reply.header('etag', etag).header('cache-control', 'no-cache');
  if (notModified(request, etag)) return reply.code(304).send();
  return reply.type('application/json; charset=utf-8').send(text);
}

function notFound(request: FastifyRequest, reply: FastifyReply, message: string): FastifyReply {
  return sendProviderError(request, reply, { status: 404, name: 'NotFoundError', message });
}

/**
 * The catalogue, no key needed: `GET /v1/models` (filters, `include`, ETag / 304), `GET /model/<id>`
 * (`{ object: 'model', data }` or 404; matches aliases too), and `GET /docs-json/<id>.json` (the
 * model's request schema, OpenAPI-style, which each entry's `info.docsJson` links to).
 */
export function modelRoutes(app: FastifyInstance, opts: { state: SimulatorState }): void {
  const { state } = opts;
  const baseUrl = (request: FastifyRequest) =>
    state.current.publicUrl?.replace(/\/+$/, '') ?? `${request.protocol}://${request.host}`;

  app.get('/v1/models', (request, reply) => {
    const query = parseCatalogueQuery(request.query as Record<string, unknown>);
    const base = baseUrl(request);
    const data = catalogueWith(state.current.renamedModels)
      .filter((m) => matchesQuery(m, query))
      .map((m) => presentModel(m, query.sections, base));
    return sendCached(request, reply, { object: 'list', data });
  });

  app.get('/model/*', (request, reply) => {
    const id = (request.params as { '*': string })['*'];
    const model = catalogueWith(state.current.renamedModels).find(
      (m) => m.id === id || m.aliases.includes(id),
    );
    if (model === undefined) return notFound(request, reply, `Model ${id} not found`);
    const { sections } = parseCatalogueQuery(request.query as Record<string, unknown>);
    return sendCached(request, reply, {
      object: 'model',
      data: presentModel(model, sections, baseUrl(request)),
    });
  });

  app.get('/docs-json/*', (request, reply) => {
    const name = (request.params as { '*': string })['*'];
    const model = name.endsWith('.json') ? findVideoModel(name.slice(0, -'.json'.length)) : undefined;
    if (model === undefined) return notFound(request, reply, `No schema for ${name}`);
    return sendCached(request, reply, docsJson(model.schema, baseUrl(request)));
  });
}
