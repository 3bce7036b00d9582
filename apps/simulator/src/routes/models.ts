import type { FastifyInstance } from 'fastify';
import { MODELS, SUPPORTED_MODEL_IDS, type ParamSpec } from '@vidqueue/aimlapi';

type CatalogueEntry = {
  id: string;
  object: 'model';
  type: string;
  info: { name: string; developer: string; description: string };
  features: string[];
  capabilities: string[];
  endpoints: string[];
  /** JSON Schema of the create body (video models only). */
  schema?: Record<string, unknown>;
};

function paramSchema(spec: ParamSpec): Record<string, unknown> {
  switch (spec.type) {
    case 'enum': {
      const numeric = spec.values.every((v) => typeof v === 'number');
      return {
        type: numeric ? 'integer' : 'string',
        enum: [...spec.values],
        default: spec.default,
        description: spec.description,
      };
    }
    case 'integer':
      return {
        type: 'integer',
        minimum: spec.min,
        maximum: spec.max,
        default: spec.default,
        description: spec.description,
      };
    case 'string':
      return { type: 'string', maxLength: spec.maxLength, description: spec.description };
  }
}

function videoEntry(id: string): CatalogueEntry {
  const spec = MODELS[id]!;
  const properties: Record<string, unknown> = {
    model: { type: 'string', enum: [id] },
    prompt: { type: 'string', minLength: 1, description: 'The text description of the scene to generate.' },
  };
  for (const [name, param] of Object.entries(spec.parameters)) properties[name] = paramSchema(param);
  return {
    id,
    object: 'model',
    type: 'video',
    info: { name: spec.label, developer: id.split('/')[0] ?? id, description: spec.description },
    features: ['text-to-video'],
    capabilities: ['text_to_video'],
    endpoints: ['/v2/video/generations'],
    schema: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      required: ['model', 'prompt'],
      additionalProperties: false,
      properties,
    },
  };
}

/** Not served by the video endpoint: they are in the catalogue so the capabilities filter means something. */
const OTHER_MODELS: readonly CatalogueEntry[] = [
  {
    id: 'gpt-4o-mini',
    object: 'model',
    type: 'chat-completion',
    info: { name: 'GPT-4o mini', developer: 'openai', description: 'Chat model (listed only).' },
    features: ['chat'],
    capabilities: ['chat'],
    endpoints: ['/v1/chat/completions'],
  },
  {
    id: 'flux/schnell',
    object: 'model',
    type: 'image',
    info: { name: 'FLUX.1 [schnell]', developer: 'flux', description: 'Image model (listed only).' },
    features: ['text-to-image'],
    capabilities: ['text_to_image'],
    endpoints: ['/v1/images/generations'],
  },
];

/** `GET /v1/models`: the catalogue, no key needed; `?capabilities=a,b` keeps models having all of them. */
export function modelRoutes(app: FastifyInstance): void {
  const catalogue = [...SUPPORTED_MODEL_IDS.map(videoEntry), ...OTHER_MODELS];
  app.get('/v1/models', (request, reply) => {
    const { capabilities } = request.query as { capabilities?: unknown };
    const wanted = (Array.isArray(capabilities) ? capabilities : [capabilities])
      .filter((c): c is string => typeof c === 'string')
      .flatMap((c) => c.split(','))
      .map((c) => c.trim())
      .filter((c) => c !== '');
    const data = catalogue.filter((m) => wanted.every((c) => m.capabilities.includes(c)));
    return reply.send({ object: 'list', data });
  });
}
