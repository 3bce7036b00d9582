/**
 * The catalogue as plain JSON for `GET /v1/models` and `vidq models` (snake_case, like our HTTP API).
 * Backwards compatible with the two-model table it replaces: `id`, `label`, `description`, `default`,
 * `parameters` (name → `type`, `required`, `description`, `default`, `values`, `minimum`, `maximum`,
 * `max_length`) and `expected_seconds` keep their meaning; types now include `number` and `boolean`,
 * and `aliases`, `min_length`, `notes`, `not_offered` and `expected_seconds_guess` are new.
 */
import { shippedCatalogue, type Catalogue } from './catalogue/catalogue.js';
import { expectedSeconds, GUESS_VIDEO_SECONDS } from './catalogue/timing.js';
import type { CatalogueModel, FieldSpec, FieldType, ParamValue } from './catalogue/types.js';

/** The model a request without one uses, unless DEFAULT_MODEL says otherwise. */
export const DEFAULT_MODEL_ID = 'sber-ai/kandinsky5-distill-t2v';

export type ParameterDescription = {
  type: FieldType;
  required: boolean;
  description: string;
  default?: ParamValue;
  /** Allowed values, for enums. */
  values?: (string | number)[];
  minimum?: number;
  maximum?: number;
  min_length?: number;
  max_length?: number;
  /** Where a default or a rule differs from the docs' wording, or needs a word more. */
  notes?: string[];
};

export type ModelDescription = {
  id: string;
  aliases: string[];
  label: string;
  description: string;
  /** True for the model a request without one uses. */
  default: boolean;
  parameters: Record<string, ParameterDescription>;
  /** Published fields vidqueue does not offer (image inputs, lists...) and why. */
  not_offered: Record<string, string>;
  /** Typical seconds from submission to a finished video, keyed by video duration in seconds. */
  expected_seconds: Record<string, number>;
  /** True when `expected_seconds` is a guess (seconds of video × a factor), not a measurement. */
  expected_seconds_guess: boolean;
};

function describeField(field: FieldSpec): ParameterDescription {
  const out: ParameterDescription = {
    type: field.type,
    required: field.required === true,
    description: field.description ?? '',
  };
  if (field.default !== undefined) out.default = field.default;
  if (field.type !== 'boolean') {
    if (field.enum !== undefined) out.values = [...field.enum];
  }
  if (field.type === 'integer' || field.type === 'number') {
    if (field.minimum !== undefined) out.minimum = field.minimum;
    if (field.maximum !== undefined) out.maximum = field.maximum;
  }
  if (field.type === 'string') {
    if (field.minLength !== undefined) out.min_length = field.minLength;
    if (field.maxLength !== undefined) out.max_length = field.maxLength;
  }
  if (field.notes !== undefined) out.notes = [...field.notes];
  return out;
}

/** The clip lengths to give an expected time for: the measured ones, else those the model allows. */
function clipLengths(model: CatalogueModel): number[] {
  if (model.expectedSeconds !== undefined) return Object.keys(model.expectedSeconds).map(Number);
  const duration = model.fields.duration;
  if (duration?.type !== 'integer' && duration?.type !== 'number') return [GUESS_VIDEO_SECONDS];
  if (duration.enum !== undefined) return [...duration.enum];
  const picks = [duration.minimum, duration.default, duration.maximum].filter(
    (n): n is number => n !== undefined,
  );
  return picks.length > 0 ? [...new Set(picks)].sort((a, b) => a - b) : [GUESS_VIDEO_SECONDS];
}

export function describeModel(model: CatalogueModel, defaultModel: string): ModelDescription {
  const expected = Object.fromEntries(
    clipLengths(model).map((clip) => [String(clip), expectedSeconds(model, clip).seconds]),
  );
  return {
    id: model.id,
    aliases: [...model.aliases],
    label: model.label,
    description: model.description,
    default: model.id === defaultModel || model.aliases.includes(defaultModel),
    parameters: Object.fromEntries(
      Object.entries(model.fields).map(([name, field]) => [name, describeField(field)]),
    ),
    not_offered: { ...model.notOffered },
    expected_seconds: expected,
    expected_seconds_guess: model.expectedSeconds === undefined,
  };
}

/** Every offered model, for `GET /v1/models`; `default` marks `defaultModel` (DEFAULT_MODEL). */
export function listModels(
  catalogue: Catalogue = shippedCatalogue(),
  defaultModel: string = DEFAULT_MODEL_ID,
): ModelDescription[] {
  return catalogue.models.map((model) => describeModel(model, defaultModel));
}
