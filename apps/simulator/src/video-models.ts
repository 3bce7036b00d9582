import { videoModelSchemas, type VideoModelSchema } from '@vidqueue/provider-schemas';
import catalogue from '../data/catalogue.json' with { type: 'json' };

/** A video model the simulator serves: the provider's published schema plus the aliases it answers to. */
export type VideoModel = {
  readonly id: string;
  readonly schema: VideoModelSchema;
  readonly aliases: readonly string[];
};

const ALIASES: Readonly<Record<string, readonly string[]>> = catalogue.aliases;

export const VIDEO_MODELS: readonly VideoModel[] = Object.freeze(
  videoModelSchemas().map((schema) => ({
    id: schema.model,
    schema,
    aliases: Object.hasOwn(ALIASES, schema.model) ? (ALIASES[schema.model] ?? []) : [],
  })),
);

const BY_NAME: ReadonlyMap<string, VideoModel> = new Map(
  VIDEO_MODELS.flatMap((m) => [[m.id, m] as const, ...m.aliases.map((a) => [a, m] as const)]),
);

/** The model a body's `model` names, by id or alias (never inherited names such as "constructor"). */
export function findVideoModel(name: string): VideoModel | undefined {
  return BY_NAME.get(name);
}

/** `source/alias` → `alias` (the usage logs accept either). */
export function bareAlias(id: string): string {
  return id.slice(id.indexOf('/') + 1);
}
