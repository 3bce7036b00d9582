import { SUPPORTED_MODEL_IDS, getModel, type IntegerParam, type ParamSpec } from './models.js';
import type { CreateGenerationParams } from './types.js';

export type ValidationIssue = { path: string; message: string };
export type ValidationResult =
  { ok: true; value: CreateGenerationParams } | { ok: false; issues: ValidationIssue[] };

export type ValidateOptions = {
  /** Used when the input has no `model` (for example a CSV without a model column). */
  defaultModel?: string;
  /** Longest accepted prompt, in characters (the provider documents none). */
  maxPromptLength?: number;
};

/** A short, safe rendering of what the caller sent, for messages. */
function got(value: unknown): string {
  let shown: string;
  try {
    shown = JSON.stringify(value) ?? typeof value;
  } catch {
    shown = typeof value;
  }
  return shown.length > 60 ? `${shown.slice(0, 59)}…` : shown;
}

/** Blank values (absent, null, empty string) mean "use the provider's default". */
function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** CSV cells arrive as text: "10" is accepted where an integer is expected. */
function asInteger(value: unknown): unknown {
  return typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
}

/** "an integer", "an integer from 1 to 8", "an integer of at least 0": only the bounds the provider publishes. */
function integerRule(spec: IntegerParam): string {
  if (spec.min !== undefined && spec.max !== undefined) return `an integer from ${spec.min} to ${spec.max}`;
  if (spec.min !== undefined) return `an integer of at least ${spec.min}`;
  if (spec.max !== undefined) return `an integer of at most ${spec.max}`;
  return 'an integer';
}

function checkParam(name: string, spec: ParamSpec, raw: unknown): { value: unknown } | { message: string } {
  switch (spec.type) {
    case 'enum': {
      const numeric = spec.values.some((v) => typeof v === 'number');
      const value = numeric ? asInteger(raw) : raw;
      return spec.values.includes(value as string | number)
        ? { value }
        : { message: `${name} must be one of ${spec.values.join(', ')} (got ${got(raw)})` };
    }
    case 'integer': {
      const value = asInteger(raw);
      const inRange =
        typeof value === 'number' &&
        Number.isSafeInteger(value) &&
        (spec.min === undefined || value >= spec.min) &&
        (spec.max === undefined || value <= spec.max);
      return inRange ? { value } : { message: `${name} must be ${integerRule(spec)} (got ${got(raw)})` };
    }
    case 'string':
      if (typeof raw !== 'string') return { message: `${name} must be a string (got ${got(raw)})` };
      if (spec.maxLength !== undefined && raw.length > spec.maxLength) {
        return { message: `${name} must be at most ${spec.maxLength} characters (got ${raw.length})` };
      }
      return { value: raw };
  }
}

/**
 * Checks a request against the model table: the model must be supported, the prompt a non-empty string,
 * each parameter one the model takes with an allowed value. Collects every issue rather than stopping
 * at the first. Blank optional fields are dropped (the provider applies its defaults); defaults are not
 * filled in. Fields that are not provider parameters (custom_id, metadata...) must be removed first.
 */
export function validateGenerationParams(
  input: Record<string, unknown>,
  options: ValidateOptions = {},
): ValidationResult {
  const issues: ValidationIssue[] = [];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, issues: [{ path: '', message: 'the request must be an object' }] };
  }
  const supported = SUPPORTED_MODEL_IDS.join(', ');
  const rawModel = isBlank(input.model) ? options.defaultModel : input.model;
  let model: string | undefined;
  if (rawModel === undefined) {
    issues.push({ path: 'model', message: `model is required (supported: ${supported})` });
  } else if (typeof rawModel !== 'string' || getModel(rawModel) === undefined) {
    issues.push({ path: 'model', message: `unsupported model ${got(rawModel)} (supported: ${supported})` });
  } else {
    model = rawModel;
  }

  const prompt = input.prompt;
  if (typeof prompt !== 'string' || prompt.trim() === '') {
    issues.push({
      path: 'prompt',
      message: isBlank(prompt) ? 'prompt is required' : `prompt must be a string (got ${got(prompt)})`,
    });
  } else if (options.maxPromptLength !== undefined && prompt.length > options.maxPromptLength) {
    issues.push({
      path: 'prompt',
      message: `prompt must be at most ${options.maxPromptLength} characters (got ${prompt.length})`,
    });
  }

  const value: CreateGenerationParams = {
    model: model ?? '',
    prompt: typeof prompt === 'string' ? prompt : '',
  };
  const spec = model === undefined ? undefined : getModel(model);
  if (spec !== undefined) {
    const allowed = Object.keys(spec.parameters);
    for (const [field, raw] of Object.entries(input)) {
      if (field === 'model' || field === 'prompt') continue;
      const param = Object.hasOwn(spec.parameters, field) ? spec.parameters[field] : undefined;
      if (param === undefined) {
        issues.push({
          path: field,
          message: `unknown field "${field}" for model ${model} (allowed: model, prompt, ${allowed.join(', ')})`,
        });
        continue;
      }
      if (isBlank(raw)) continue;
      const checked = checkParam(field, param, raw);
      if ('message' in checked) issues.push({ path: field, message: checked.message });
      else value[field] = checked.value;
    }
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value };
}
