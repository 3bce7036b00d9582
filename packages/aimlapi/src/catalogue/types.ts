/**
 * The parameter spec: what a model takes, in the provider's field names, as one small union of
 * scalar field types. It expresses every field of the provider's text-to-video schemas that a text
 * prompt can use: string enums, integer enums, integer and number ranges, booleans, strings with
 * length bounds, and free integers, numbers and strings. Arrays and objects are not offered (the only
 * ones are media inputs, a multi-shot storyboard and a prose-only camera object; see `build.ts`).
 * Defaults are the provider's, in the field's own type (the docs write some integer defaults as
 * strings, `"10"`: normalised, with a note saying so).
 */
/** A value a model field takes: what a CSV cell, a JSON body or a job's data can hold. */
export type ParamValue = string | number | boolean;

type FieldBase = {
  /** The provider's own short description. */
  description?: string;
  /** Only `prompt` is required (vidqueue sends text prompts; every other field has a provider default or is optional). */
  required?: boolean;
  /** Where we changed or explain something the docs say (a string default normalised, a text-only default). */
  notes?: string[];
};

export type StringField = FieldBase & {
  type: 'string';
  enum?: string[];
  minLength?: number;
  maxLength?: number;
  default?: string;
};
export type IntegerField = FieldBase & {
  type: 'integer';
  enum?: number[];
  minimum?: number;
  maximum?: number;
  default?: number;
};
export type NumberField = FieldBase & {
  type: 'number';
  enum?: number[];
  minimum?: number;
  maximum?: number;
  default?: number;
};
export type BooleanField = FieldBase & { type: 'boolean'; default?: boolean };

export type FieldSpec = StringField | IntegerField | NumberField | BooleanField;
export type FieldType = FieldSpec['type'];

/** One text-to-video model vidqueue offers. */
export type CatalogueModel = {
  /** The provider's model id (what is sent as `model`). */
  id: string;
  /** Other names the provider answers to (a renamed model lives on under its old id). */
  aliases: string[];
  label: string;
  description: string;
  /** `prompt` first, then the parameters, in the provider's order. */
  fields: Record<string, FieldSpec>;
  /** Fields of the provider's schema that vidqueue does not offer, and why (image inputs, arrays...). */
  notOffered: Record<string, string>;
  /**
   * Measured create-to-completed seconds by clip duration (curated, from the reference); absent: the
   * schedule uses a documented guess until it has learned the model's times.
   */
  expectedSeconds?: Record<string, number>;
  /** Where the measured figures come from. */
  expectedSecondsNote?: string;
  /** Where the schema came from (the docs file or the docsJson URL). */
  source: string;
};

/** A model of the provider's text-prompt list that vidqueue does not offer, and why. */
export type ExcludedModel = { id: string; aliases: string[]; reason: string };

export type CatalogueSource =
  { kind: 'snapshot'; date: string; docs: string } | { kind: 'provider'; url: string; fetchedAt: string };

/** The catalogue as a file: the shipped `catalogue.generated.json`, or a local override. */
export type CatalogueData = {
  about: string;
  source: CatalogueSource;
  models: CatalogueModel[];
  excluded: ExcludedModel[];
};
