/**
 * The catalogue from the provider's request schemas and the curated overlay: used by the generator
 * (`pnpm catalogue:generate`, over the committed docs snapshot) and by `vidq models update` (over the
 * live catalogue's `docsJson` schemas), so both make the same thing from the same facts.
 *
 * Rules, in order: a field that is an image, video or audio input (by name: image, video, audio,
 * frame, keyframes, elements; a plain string, an array or an object) is not offered; other arrays and
 * objects are not offered (the only ones are the Kling `multi_prompt` storyboard and a camera object the
 * docs describe in prose only); the overlay may leave out more fields, give a text-only default, or
 * drop enum values a text-only request cannot use. A model that requires a field not offered (an
 * image list, reference videos) is excluded with the reason; one without a `prompt` field too.
 */
import type { PropertySchema, VideoModelSchema } from '@vidqueue/provider-schemas';
import { readValue } from './field-value.js';
import type {
  CatalogueData,
  CatalogueModel,
  CatalogueSource,
  ExcludedModel,
  FieldSpec,
  ParamValue,
} from './types.js';

export type OverlayField = {
  notOffered?: string;
  default?: ParamValue;
  exclude?: ParamValue[];
  note?: string;
};
export type OverlayModel = {
  label?: string;
  description?: string;
  expectedSeconds?: Record<string, number>;
  expectedSecondsNote?: string;
  fields?: Record<string, OverlayField>;
};
export type Overlay = { about?: string; models: Record<string, OverlayModel> };

/** One model as the provider describes it: its request schema, and what its catalogue entry adds. */
export type ProviderModel = {
  schema: VideoModelSchema;
  aliases?: readonly string[];
  /** `info.name` of the catalogue entry. */
  name?: string;
  /** `info.description` of the catalogue entry. */
  description?: string;
  /** Where the schema was read (docs file or docsJson URL); default `schema.source`. */
  source?: string;
};

const MEDIA_NAME = /(^|_)(image|images|video|videos|audio|audios|frame|keyframes|elements)(_|$)/;

function mediaKind(name: string): string {
  if (name.includes('video')) return 'a video input';
  if (name.includes('audio')) return 'an audio input';
  return 'an image input';
}

/** Why a published field is not offered, or undefined when it is. */
function notOfferedReason(name: string, property: PropertySchema): string | undefined {
  const plainString = property.type === 'string' && property.enum === undefined;
  const media = plainString || property.type === 'array' || property.type === 'object';
  if (media && MEDIA_NAME.test(name)) return `${mediaKind(name)}: vidqueue sends text prompts only`;
  if (property.type === 'array') {
    return 'a list: vidqueue sends one prompt per video (no multi-shot storyboards), and a batch cell holds one value';
  }
  if (property.type === 'object') return 'an object the docs describe in prose only: not offered';
  return undefined;
}

/** The docs write some integer defaults as strings (`"10"`): the number, with a note. */
function numericDefault(raw: unknown, notes: string[]): number | undefined {
  if (typeof raw === 'number') return raw;
  if (typeof raw !== 'string') return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value)) {
    notes.push(
      `The docs give the default ${JSON.stringify(raw)}, which is not a number: no default assumed.`,
    );
    return undefined;
  }
  notes.push(`The docs write the default as the string ${JSON.stringify(raw)}; it is the number ${value}.`);
  return value;
}

function fieldOf(property: PropertySchema): FieldSpec | undefined {
  const notes: string[] = [];
  const described = property.description === undefined ? {} : { description: property.description };
  let field: FieldSpec;
  switch (property.type) {
    case 'string':
      field = {
        type: 'string',
        ...described,
        ...(property.enum && { enum: [...property.enum] }),
        ...(property.minLength !== undefined && { minLength: property.minLength }),
        ...(property.maxLength !== undefined && { maxLength: property.maxLength }),
        ...(property.default !== undefined && { default: property.default }),
      };
      break;
    case 'integer':
    case 'number': {
      const value = numericDefault(property.default, notes);
      field = {
        type: property.type,
        ...described,
        ...(property.enum && { enum: [...property.enum] }),
        ...(property.minimum !== undefined && { minimum: property.minimum }),
        ...(property.maximum !== undefined && { maximum: property.maximum }),
        ...(value !== undefined && { default: value }),
      };
      break;
    }
    case 'boolean':
      field = {
        type: 'boolean',
        ...described,
        ...(property.default !== undefined && { default: property.default }),
      };
      break;
    case 'array':
    case 'object':
      return undefined;
  }
  if (field.default !== undefined && 'rule' in readValue(field, field.default)) {
    notes.push(
      `The docs' default ${JSON.stringify(field.default)} is not an allowed value: no default assumed.`,
    );
    delete field.default;
  }
  if (notes.length > 0) field.notes = notes;
  return field;
}

/** The overlay's changes to one field (text-only default, values left out, a note). */
function applyOverlay(field: FieldSpec, overlay: OverlayField | undefined): FieldSpec {
  if (overlay === undefined) return field;
  const next = { ...field } as FieldSpec & { enum?: ParamValue[]; default?: ParamValue };
  if (overlay.exclude !== undefined && next.enum !== undefined) {
    const left = overlay.exclude;
    next.enum = next.enum.filter((v) => !left.includes(v));
  }
  if (overlay.default !== undefined) next.default = overlay.default;
  if (overlay.note !== undefined) next.notes = [...(next.notes ?? []), overlay.note];
  return next;
}

function overlayFor(overlay: Overlay, id: string, aliases: readonly string[]): OverlayModel | undefined {
  for (const name of [id, ...aliases]) {
    if (Object.hasOwn(overlay.models, name)) return overlay.models[name];
  }
  return undefined;
}

/** One model: offered (with its fields and what is left out) or excluded (with the reason). */
export function buildModel(
  provider: ProviderModel,
  overlay: Overlay,
): { model: CatalogueModel } | { excluded: ExcludedModel } {
  const { schema } = provider;
  const aliases = [...(provider.aliases ?? [])];
  const extra = overlayFor(overlay, schema.model, aliases);
  const excluded = (reason: string) => ({ excluded: { id: schema.model, aliases, reason } });
  const prompt = schema.properties.prompt;
  if (prompt?.type !== 'string') return excluded('takes no text prompt');

  const fields: Record<string, FieldSpec> = {};
  const notOffered: Record<string, string> = {};
  for (const [name, property] of Object.entries(schema.properties)) {
    const curated = extra?.fields?.[name];
    const reason = curated?.notOffered ?? notOfferedReason(name, property);
    if (reason !== undefined && name !== 'prompt') {
      if (schema.required.includes(name)) return excluded(`requires ${name} (${reason})`);
      notOffered[name] = reason;
      continue;
    }
    const field = fieldOf(property);
    if (field === undefined) continue;
    fields[name] = applyOverlay(field, curated);
  }
  const promptField = fields.prompt!;
  promptField.required = true;
  if (!schema.required.includes('prompt')) {
    promptField.notes = [
      ...(promptField.notes ?? []),
      'The provider does not require it (other inputs can stand in for it); vidqueue always sends it.',
    ];
  }
  const ordered = { prompt: promptField, ...fields };
  return {
    model: {
      id: schema.model,
      aliases,
      label: extra?.label ?? provider.name ?? schema.model,
      description: extra?.description ?? provider.description ?? '',
      fields: ordered,
      notOffered,
      ...(extra?.expectedSeconds && { expectedSeconds: { ...extra.expectedSeconds } }),
      ...(extra?.expectedSecondsNote !== undefined && { expectedSecondsNote: extra.expectedSecondsNote }),
      source: provider.source ?? schema.source,
    },
  };
}

/** The whole catalogue, models in the order given. */
export function buildCatalogue(
  providers: readonly ProviderModel[],
  overlay: Overlay,
  source: CatalogueSource,
  about: string,
): CatalogueData {
  const models: CatalogueModel[] = [];
  const excluded: ExcludedModel[] = [];
  for (const provider of providers) {
    const built = buildModel(provider, overlay);
    if ('model' in built) models.push(built.model);
    else excluded.push(built.excluded);
  }
  return { about, source, models, excluded };
}
