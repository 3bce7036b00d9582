import type { PropertySchema, VideoModelSchema } from './types.js';

/**
 * Checks that the snapshot has exactly the shapes the types promise, so a refreshed copy with a new
 * keyword (`oneOf`, `nullable`, ...) fails loudly here instead of being half-understood downstream.
 */

type Json = Record<string, unknown>;

const COMMON = ['type', 'description', 'default'];
const KEYWORDS: Record<PropertySchema['type'], readonly string[]> = {
  string: [...COMMON, 'enum', 'minLength', 'maxLength', 'format'],
  integer: [...COMMON, 'enum', 'minimum', 'maximum'],
  number: [...COMMON, 'enum', 'minimum', 'maximum'],
  boolean: COMMON,
  array: [...COMMON, 'items', 'minItems', 'maxItems'],
  object: [...COMMON, 'properties', 'required'],
};

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(path: string, problem: string): never {
  throw new Error(`provider-schemas: ${path}: ${problem}`);
}

function stringList(value: unknown, path: string): readonly string[] {
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) {
    fail(path, 'expected strings');
  }
  return value;
}

function checkNumberKeywords(p: Json, path: string): void {
  for (const key of ['minimum', 'maximum', 'minLength', 'maxLength', 'minItems', 'maxItems']) {
    if (p[key] !== undefined && typeof p[key] !== 'number') fail(`${path}.${key}`, 'expected a number');
  }
}

function checkProperty(value: unknown, path: string): void {
  if (!isRecord(value)) fail(path, 'expected an object');
  const type = value.type;
  if (typeof type !== 'string' || !Object.hasOwn(KEYWORDS, type)) fail(path, `unknown type ${String(type)}`);
  const allowed = KEYWORDS[type as PropertySchema['type']];
  for (const key of Object.keys(value)) if (!allowed.includes(key)) fail(path, `unexpected keyword ${key}`);
  checkNumberKeywords(value, path);
  if (value.description !== undefined && typeof value.description !== 'string') {
    fail(`${path}.description`, 'expected a string');
  }
  if (value.enum !== undefined) {
    const want = type === 'string' ? 'string' : 'number';
    if (!Array.isArray(value.enum) || !value.enum.every((v) => typeof v === want)) {
      fail(`${path}.enum`, `expected ${want} values`);
    }
  }
  if (type === 'array') checkProperty(value.items, `${path}.items`);
  if (type === 'object') {
    if (value.required !== undefined) stringList(value.required, `${path}.required`);
    if (value.properties !== undefined) {
      if (!isRecord(value.properties)) fail(`${path}.properties`, 'expected an object');
      for (const [name, child] of Object.entries(value.properties)) checkProperty(child, `${path}.${name}`);
    }
  }
}

/** The snapshot's `models`, checked; throws naming the first path that does not fit the types. */
export function checkVideoModels(data: unknown): readonly VideoModelSchema[] {
  if (!isRecord(data) || !Array.isArray(data.models)) fail('root', 'expected { models: [...] }');
  return data.models.map((entry: unknown, i) => {
    if (!isRecord(entry) || typeof entry.model !== 'string' || typeof entry.source !== 'string') {
      fail(`models[${i}]`, 'expected { model, source, required, properties }');
    }
    const path = entry.model;
    stringList(entry.required, `${path}.required`);
    if (!isRecord(entry.properties)) fail(`${path}.properties`, 'expected an object');
    for (const [name, property] of Object.entries(entry.properties))
      checkProperty(property, `${path}.${name}`);
    return entry as unknown as VideoModelSchema;
  });
}
