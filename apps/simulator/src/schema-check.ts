import type { PropertySchema } from '@vidqueue/provider-schemas';

/**
 * One value against one published property schema, the way the provider checks a body: JSON types as
 * sent (`"10"` is not an integer), enums, bounds and lengths only where the schema states them (a field
 * without `minimum` takes any value of its type: no rule is invented here). Issues are zod-style, with
 * expected/received hints, like the provider's "Body validation error!".
 */

export type IssuePath = (string | number)[];

export type BodyIssue = {
  code: 'invalid_type' | 'invalid_enum_value' | 'unrecognized_keys' | 'too_small' | 'too_big';
  path: IssuePath;
  message: string;
  expected: string;
  received: string;
};

export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'float';
  return typeof value;
}

export function literal(value: unknown): string {
  if (typeof value === 'string') return `'${value.length > 60 ? `${value.slice(0, 59)}…` : value}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return typeName(value);
}

export function typeIssue(path: IssuePath, expected: string, value: unknown): BodyIssue {
  const received = value === undefined ? 'undefined' : typeName(value);
  const message = value === undefined ? 'Required' : `Expected ${expected}, received ${received}`;
  return { code: 'invalid_type', path, message, expected, received };
}

export function enumIssue(path: IssuePath, values: readonly unknown[], value: unknown): BodyIssue {
  const expected = values.map(literal).join(' | ');
  const received = literal(value);
  const message = `Invalid enum value. Expected ${expected}, received ${received}`;
  return { code: 'invalid_enum_value', path, message, expected, received };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function size(path: IssuePath, kind: 'String' | 'Array', n: number, actual: number, low: boolean): BodyIssue {
  const unit = kind === 'String' ? 'character' : 'element';
  return {
    code: low ? 'too_small' : 'too_big',
    path,
    message: `${kind} must contain ${low ? 'at least' : 'at most'} ${n} ${unit}(s)`,
    expected: `${low ? 'at least' : 'at most'} ${plural(n, unit)}`,
    received: plural(actual, unit),
  };
}

function bound(path: IssuePath, n: number, value: number, low: boolean): BodyIssue {
  return {
    code: low ? 'too_small' : 'too_big',
    path,
    message: `Number must be ${low ? 'greater' : 'less'} than or equal to ${n}`,
    expected: `${low ? '>=' : '<='} ${n}`,
    received: String(value),
  };
}

function checkNumber(
  schema: PropertySchema & { type: 'integer' | 'number' },
  value: unknown,
  path: IssuePath,
) {
  const ok = typeof value === 'number' && (schema.type === 'number' || Number.isInteger(value));
  if (!ok) return [typeIssue(path, schema.type, value)];
  if (schema.minimum !== undefined && value < schema.minimum)
    return [bound(path, schema.minimum, value, true)];
  if (schema.maximum !== undefined && value > schema.maximum)
    return [bound(path, schema.maximum, value, false)];
  return [];
}

/** Every issue of `value` against `schema`, at `path`; nested arrays and objects are walked. */
export function checkValue(schema: PropertySchema, value: unknown, path: IssuePath): BodyIssue[] {
  if ('enum' in schema && schema.enum !== undefined) {
    return (schema.enum as readonly unknown[]).includes(value) ? [] : [enumIssue(path, schema.enum, value)];
  }
  switch (schema.type) {
    case 'string': {
      if (typeof value !== 'string') return [typeIssue(path, 'string', value)];
      const n = value.length; // UTF-16 units, like JavaScript validators count
      if (schema.minLength !== undefined && n < schema.minLength) {
        return [{ ...size(path, 'String', schema.minLength, n, true), received: literal(value) }];
      }
      if (schema.maxLength !== undefined && n > schema.maxLength) {
        return [size(path, 'String', schema.maxLength, n, false)];
      }
      return [];
    }
    case 'integer':
    case 'number':
      return checkNumber(schema, value, path);
    case 'boolean':
      return typeof value === 'boolean' ? [] : [typeIssue(path, 'boolean', value)];
    case 'array': {
      if (!Array.isArray(value)) return [typeIssue(path, 'array', value)];
      if (schema.minItems !== undefined && value.length < schema.minItems) {
        return [size(path, 'Array', schema.minItems, value.length, true)];
      }
      if (schema.maxItems !== undefined && value.length > schema.maxItems) {
        return [size(path, 'Array', schema.maxItems, value.length, false)];
      }
      return value.flatMap((item, i) => checkValue(schema.items, item, [...path, i]));
    }
    case 'object': {
      if (!isRecord(value)) return [typeIssue(path, 'object', value)];
      const properties = schema.properties ?? {};
      const missing = (schema.required ?? [])
        .filter((name) => value[name] === undefined)
        .map((name) => typeIssue([...path, name], properties[name]?.type ?? 'value', undefined));
      // Keys the schema does not name are accepted inside nested objects: the docs only say the
      // top level is strict, and JSON Schema allows them unless told otherwise.
      const present = Object.entries(value).flatMap(([name, child]) => {
        const childSchema = Object.hasOwn(properties, name) ? properties[name] : undefined;
        return childSchema === undefined || child === undefined
          ? []
          : checkValue(childSchema, child, [...path, name]);
      });
      return [...missing, ...present];
    }
  }
}
