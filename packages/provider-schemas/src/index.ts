import snapshot from '../data/aimlapi-video-models.json' with { type: 'json' };
import { checkVideoModels } from './check.js';
import type { VideoModelSchema } from './types.js';

export type {
  ArrayProperty,
  BooleanProperty,
  IntegerProperty,
  NumberProperty,
  ObjectProperty,
  PropertySchema,
  PropertyType,
  StringProperty,
  VideoModelSchema,
} from './types.js';

/** Where the data comes from: the provider's published docs, never our own rules. */
export const SNAPSHOT = Object.freeze({
  /** The provider's docs repository and folder the schemas were extracted from. */
  source: 'aimlapi/api-docs, docs/api-references/video-models/',
  /** Date of the docs snapshot. */
  date: '2026-08-21',
  about: snapshot.about,
});

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

const MODELS: readonly VideoModelSchema[] = deepFreeze(checkVideoModels(snapshot));
const BY_ID: ReadonlyMap<string, VideoModelSchema> = new Map(MODELS.map((m) => [m.model, m]));

/** The request-body schema of every video model that takes a text prompt, in the snapshot's order. */
export function videoModelSchemas(): readonly VideoModelSchema[] {
  return MODELS;
}

/** One model's schema by its exact id, or undefined. */
export function videoModelSchema(model: string): VideoModelSchema | undefined {
  return BY_ID.get(model);
}
