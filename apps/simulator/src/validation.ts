import type { VideoModelSchema } from '@vidqueue/provider-schemas';
import { checkValue, enumIssue, typeIssue, type BodyIssue } from './schema-check.js';
import { VIDEO_MODELS, findVideoModel } from './video-models.js';

/**
 * The provider's check of a create body, from the published schema of the model it names
 * (`@vidqueue/provider-schemas`), never from the client's model table: a mistake the client makes is
 * caught here instead of agreed with. Unknown top-level keys are refused, every issue is reported at once.
 */

export type { BodyIssue } from './schema-check.js';

export type GenerationRequest = {
  /** The canonical model id (a create may name the model by an alias). */
  model: string;
  schema: VideoModelSchema;
  /** The prompt when the body has one (some models take `multi_prompt` or an image list instead). */
  prompt: string | undefined;
  /** Every field of the body but `model`, as sent. */
  params: Record<string, unknown>;
};

export type BodyCheck = { ok: true; request: GenerationRequest } | { ok: false; issues: BodyIssue[] };

const MODEL_IDS: readonly string[] = VIDEO_MODELS.map((m) => m.id);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function modelIssue(model: unknown): BodyIssue | undefined {
  if (typeof model === 'string')
    return findVideoModel(model) ? undefined : enumIssue(['model'], MODEL_IDS, model);
  return typeIssue(['model'], 'string', model);
}

/** Checks a create body the way the provider does; collects every issue. */
export function checkGenerationBody(body: unknown): BodyCheck {
  if (!isRecord(body)) return { ok: false, issues: [typeIssue([], 'object', body)] };
  const issue = modelIssue(body.model);
  const found = typeof body.model === 'string' ? findVideoModel(body.model) : undefined;
  if (issue !== undefined || found === undefined) return { ok: false, issues: issue ? [issue] : [] };

  const { schema } = found;
  const { properties } = schema;
  const issues: BodyIssue[] = schema.required
    .filter((name) => body[name] === undefined)
    .map((name) => typeIssue([name], properties[name]?.type ?? 'value', undefined));
  const params: Record<string, unknown> = {};
  const unknown: string[] = [];
  for (const [field, value] of Object.entries(body)) {
    if (field === 'model') continue;
    const property = Object.hasOwn(properties, field) ? properties[field] : undefined;
    if (property === undefined) unknown.push(field);
    else issues.push(...checkValue(property, value, [field]));
    params[field] = value;
  }
  if (unknown.length > 0) {
    const keys = unknown.map((k) => `'${k}'`).join(', ');
    issues.push({
      code: 'unrecognized_keys',
      path: [],
      message: `Unrecognized key(s) in object: ${keys}`,
      expected: ['model', ...Object.keys(properties)].join(', '),
      received: keys,
    });
  }
  if (issues.length > 0) return { ok: false, issues };
  const prompt = typeof params.prompt === 'string' ? params.prompt : undefined;
  return { ok: true, request: { model: found.id, schema, prompt, params } };
}
