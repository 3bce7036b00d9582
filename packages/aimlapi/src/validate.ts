import { shippedCatalogue, type Catalogue } from './catalogue/catalogue.js';
import { readValue, type ValueMode } from './catalogue/field-value.js';
import type { CatalogueModel } from './catalogue/types.js';
import type { CreateGenerationParams } from './types.js';
import { codePointLength, unpairedSurrogate } from './text.js';

export type ValidationIssue = { path: string; message: string };
export type ValidationResult =
  { ok: true; value: CreateGenerationParams } | { ok: false; issues: ValidationIssue[] };

export { codePointLength, unpairedSurrogate };

export type ValidateOptions = {
  /** The models and their fields (default: the shipped catalogue). */
  catalogue?: Catalogue;
  /** Used when the input has no `model` (for example a CSV without a model column). */
  defaultModel?: string;
  /**
   * Longest accepted prompt, in characters: Unicode code points, an emoji is one (MAX_PROMPT_LENGTH; a
   * model's own bound, counted the same way, applies too).
   */
  maxPromptLength?: number;
  /**
   * `json` (default): values as JSON types (`"10"` is not an integer); `text`: CSV cells and JSONL
   * rows, where `"10"`, `"0.5"` and `"true"` are read as the field's type.
   */
  mode?: ValueMode;
};

/** A short, safe rendering of what the caller sent, for messages. */
function got(value: unknown): string {
  // JSON.stringify writes Infinity (what 1e309 reads as) as null: say what it is.
  if (typeof value === 'number' && !Number.isFinite(value)) return `${value} (a number out of range)`;
  let shown: string;
  try {
    shown = JSON.stringify(value) ?? typeof value;
  } catch {
    shown = typeof value;
  }
  return shown.length > 60 ? `${shown.slice(0, 59)}…` : shown;
}

/** Blank values (absent, null, empty string) mean "use the provider's default": the field is not sent. */
function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

function surrogateIssue(name: string, text: string): string | undefined {
  const unit = unpairedSurrogate(text);
  return unit === undefined
    ? undefined
    : `${name} contains an unpaired surrogate (${unit}): half of a character, not text`;
}

function resolveModel(
  raw: unknown,
  catalogue: Catalogue,
  issues: ValidationIssue[],
): CatalogueModel | undefined {
  const listed = `${catalogue.ids.length} models: GET /v1/models or vidq models lists them`;
  if (raw === undefined) {
    issues.push({ path: 'model', message: `model is required (${listed})` });
    return undefined;
  }
  if (typeof raw !== 'string') {
    issues.push({ path: 'model', message: `model must be a model id (got ${got(raw)}; ${listed})` });
    return undefined;
  }
  const model = catalogue.get(raw);
  if (model !== undefined) return model;
  const excluded = catalogue.excluded(raw);
  issues.push({
    path: 'model',
    message:
      excluded === undefined
        ? `unknown model ${got(raw)} (not in the catalogue of ${listed})`
        : `model ${got(raw)} is not offered: it ${excluded.reason}`,
  });
  return undefined;
}

function checkPrompt(prompt: unknown, model: CatalogueModel | undefined, options: ValidateOptions) {
  if (typeof prompt !== 'string' || prompt.trim() === '') {
    return isBlank(prompt) ? 'prompt is required' : `prompt must be a string (got ${got(prompt)})`;
  }
  const malformed = surrogateIssue('prompt', prompt);
  if (malformed !== undefined) return malformed;
  // `prompt.length` bounds the code points from above: most prompts are never counted.
  const max = options.maxPromptLength;
  if (max !== undefined && prompt.length > max && codePointLength(prompt) > max) {
    return `prompt must be at most ${max} characters (got ${codePointLength(prompt)})`;
  }
  const field = model?.fields.prompt;
  const modelMax = field?.type === 'string' ? field.maxLength : undefined;
  if (modelMax !== undefined && prompt.length > modelMax && codePointLength(prompt) > modelMax) {
    return `prompt must be at most ${modelMax} characters for model ${model!.id} (got ${codePointLength(prompt)})`;
  }
  return undefined;
}

/**
 * Checks a request against the catalogue: the model must be offered (by id or alias; the value carries
 * its canonical id), the prompt a non-empty string within both limits, and every other field one the
 * model takes, with an allowed value. Collects every issue rather than stopping at the first. Blank
 * fields are dropped (the provider applies its defaults); defaults are never filled in (see
 * `effectiveParams` for the effective request). Fields that are not provider parameters (custom_id,
 * metadata...) must be removed first: unknown fields are errors naming the model's fields.
 */
export function validateGenerationParams(
  input: Record<string, unknown>,
  options: ValidateOptions = {},
): ValidationResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, issues: [{ path: '', message: 'the request must be an object' }] };
  }
  const catalogue = options.catalogue ?? shippedCatalogue();
  const mode = options.mode ?? 'json';
  const issues: ValidationIssue[] = [];
  const model = resolveModel(isBlank(input.model) ? options.defaultModel : input.model, catalogue, issues);
  const promptIssue = checkPrompt(input.prompt, model, options);
  if (promptIssue !== undefined) issues.push({ path: 'prompt', message: promptIssue });

  const value: CreateGenerationParams = {
    model: model?.id ?? '',
    prompt: typeof input.prompt === 'string' ? input.prompt : '',
  };
  if (model !== undefined) {
    const allowed = Object.keys(model.fields);
    for (const [name, raw] of Object.entries(input)) {
      if (name === 'model' || name === 'prompt') continue;
      const field = Object.hasOwn(model.fields, name) ? model.fields[name] : undefined;
      if (field === undefined) {
        const why = Object.hasOwn(model.notOffered, name) ? model.notOffered[name] : undefined;
        issues.push({
          path: name,
          message:
            why === undefined
              ? `${name} is not a field of model ${model.id} (its fields: model, ${allowed.join(', ')})`
              : `${name} is not offered for model ${model.id}: ${why}`,
        });
        continue;
      }
      if (isBlank(raw)) continue;
      const malformed = typeof raw === 'string' ? surrogateIssue(name, raw) : undefined;
      if (malformed !== undefined) {
        issues.push({ path: name, message: malformed });
        continue;
      }
      const read = readValue(field, raw, mode);
      if ('value' in read) value[name] = read.value;
      else {
        const hint = read.hint === undefined ? '' : `; ${read.hint}`;
        issues.push({
          path: name,
          message: `${name} must be ${read.rule} for model ${model.id} (got ${got(raw)}${hint})`,
        });
      }
    }
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value };
}
