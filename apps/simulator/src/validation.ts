import { SUPPORTED_MODEL_IDS, getModel, type ParamSpec } from '@vidqueue/aimlapi';

/**
 * The provider's own check of a create body, strict like the real API (zod-style issues with
 * expected/received hints). The model table is the client's (`@vidqueue/aimlapi`), so the two cannot
 * drift apart; the rules here are stricter than the client's, which coerces CSV text ("10") before
 * sending: the provider takes JSON types as they come.
 */

export type BodyIssue = {
  code: 'invalid_type' | 'invalid_enum_value' | 'unrecognized_keys' | 'too_small' | 'too_big';
  path: string[];
  message: string;
  expected: string;
  received: string;
};

export type GenerationRequest = {
  model: string;
  prompt: string;
  /** Seconds of video asked for (the model's default when absent). */
  duration: number;
  params: Record<string, unknown>;
};

export type BodyCheck = { ok: true; request: GenerationRequest } | { ok: false; issues: BodyIssue[] };

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'float';
  return typeof value;
}

function literal(value: unknown): string {
  if (typeof value === 'string') return `'${value.length > 60 ? `${value.slice(0, 59)}…` : value}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return typeName(value);
}

function typeIssue(path: string, expected: string, value: unknown): BodyIssue {
  const received = typeName(value);
  return {
    code: 'invalid_type',
    path: [path],
    message: value === undefined ? 'Required' : `Expected ${expected}, received ${received}`,
    expected,
    received: value === undefined ? 'undefined' : received,
  };
}

function enumIssue(path: string, values: readonly unknown[], value: unknown): BodyIssue {
  const expected = values.map(literal).join(' | ');
  return {
    code: 'invalid_enum_value',
    path: [path],
    message: `Invalid enum value. Expected ${expected}, received ${literal(value)}`,
    expected,
    received: literal(value),
  };
}

function checkParam(name: string, spec: ParamSpec, value: unknown): BodyIssue | undefined {
  switch (spec.type) {
    case 'enum':
      return spec.values.includes(value as string | number) ? undefined : enumIssue(name, spec.values, value);
    case 'integer': {
      if (typeof value !== 'number' || !Number.isInteger(value)) return typeIssue(name, 'integer', value);
      if (value < spec.min) {
        const expected = `>= ${spec.min}`;
        const message = `Number must be greater than or equal to ${spec.min}`;
        return { code: 'too_small', path: [name], message, expected, received: String(value) };
      }
      if (value > spec.max) {
        const expected = `<= ${spec.max}`;
        const message = `Number must be less than or equal to ${spec.max}`;
        return { code: 'too_big', path: [name], message, expected, received: String(value) };
      }
      return undefined;
    }
    case 'string':
      if (typeof value !== 'string') return typeIssue(name, 'string', value);
      if (spec.maxLength !== undefined && value.length > spec.maxLength) {
        const message = `String must contain at most ${spec.maxLength} character(s)`;
        const expected = `at most ${spec.maxLength} characters`;
        return { code: 'too_big', path: [name], message, expected, received: `${value.length} characters` };
      }
      return undefined;
  }
}

/** Checks a create body the way the provider does; collects every issue. */
export function checkGenerationBody(body: unknown): BodyCheck {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, issues: [{ ...typeIssue('', 'object', body), path: [] }] };
  }
  const input = body as Record<string, unknown>;
  const issues: BodyIssue[] = [];

  const model = input.model;
  const spec = typeof model === 'string' ? getModel(model) : undefined;
  if (model === undefined) issues.push({ ...typeIssue('model', 'string', model) });
  else if (spec === undefined) issues.push(enumIssue('model', SUPPORTED_MODEL_IDS, model));

  const prompt = input.prompt;
  if (typeof prompt !== 'string') issues.push(typeIssue('prompt', 'string', prompt));
  else if (prompt.trim() === '') {
    const message = 'String must contain at least 1 character(s)';
    issues.push({
      code: 'too_small',
      path: ['prompt'],
      message,
      expected: 'at least 1 character',
      received: "''",
    });
  }

  const params: Record<string, unknown> = {};
  if (spec !== undefined) {
    const unknown: string[] = [];
    for (const [field, value] of Object.entries(input)) {
      if (field === 'model' || field === 'prompt') continue;
      const param = Object.hasOwn(spec.parameters, field) ? spec.parameters[field] : undefined;
      if (param === undefined) {
        unknown.push(field);
        continue;
      }
      const issue = checkParam(field, param, value);
      if (issue) issues.push(issue);
      else params[field] = value;
    }
    if (unknown.length > 0) {
      const keys = unknown.map((k) => `'${k}'`).join(', ');
      issues.push({
        code: 'unrecognized_keys',
        path: [],
        message: `Unrecognized key(s) in object: ${keys}`,
        expected: ['model', 'prompt', ...Object.keys(spec.parameters)].join(', '),
        received: keys,
      });
    }
  }
  if (issues.length > 0 || spec === undefined || typeof model !== 'string' || typeof prompt !== 'string') {
    return { ok: false, issues };
  }
  const duration = typeof params.duration === 'number' ? params.duration : spec.defaultDuration;
  return { ok: true, request: { model, prompt, duration, params } };
}
