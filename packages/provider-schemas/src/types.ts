/**
 * The shapes of the request-body fields in the provider's per-model OpenAPI files, as far as the
 * snapshot in `data/` uses them. `default` is kept as written: the docs give some integer fields a
 * string default (`"default": "5"` for `duration`), and that quirk is part of the published facts.
 */

type Described = {
  /** The provider's own short description (some are cut off in the docs). */
  readonly description?: string;
};

export type StringProperty = Described & {
  readonly type: 'string';
  readonly enum?: readonly string[];
  readonly default?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  /** For example `uri`; documentation only, the provider does not say it checks it. */
  readonly format?: string;
};

export type IntegerProperty = Described & {
  readonly type: 'integer';
  readonly enum?: readonly number[];
  /** Sometimes a string (`"5"`) in the docs: kept as written. */
  readonly default?: number | string;
  readonly minimum?: number;
  readonly maximum?: number;
};

export type NumberProperty = Described & {
  readonly type: 'number';
  readonly enum?: readonly number[];
  readonly default?: number | string;
  readonly minimum?: number;
  readonly maximum?: number;
};

export type BooleanProperty = Described & {
  readonly type: 'boolean';
  readonly default?: boolean;
};

export type ArrayProperty = Described & {
  readonly type: 'array';
  readonly items: PropertySchema;
  readonly default?: readonly unknown[];
  readonly minItems?: number;
  readonly maxItems?: number;
};

export type ObjectProperty = Described & {
  readonly type: 'object';
  readonly default?: Readonly<Record<string, unknown>>;
  /** Absent: any object (the docs describe it in prose only). */
  readonly properties?: Readonly<Record<string, PropertySchema>>;
  readonly required?: readonly string[];
};

export type PropertySchema =
  StringProperty | IntegerProperty | NumberProperty | BooleanProperty | ArrayProperty | ObjectProperty;

export type PropertyType = PropertySchema['type'];

/** The create body of one video model on `POST /v2/video/generations` (besides `model` itself). */
export type VideoModelSchema = {
  /** The model id, as sent in the body's `model` field. */
  readonly model: string;
  /** The provider's OpenAPI file it was read from, under `docs/api-references/`. */
  readonly source: string;
  /** Required fields (never `model`, which every body needs). Some models require none. */
  readonly required: readonly string[];
  readonly properties: Readonly<Record<string, PropertySchema>>;
};
