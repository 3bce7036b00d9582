import type { BulkLimits } from './limits.js';

export type BulkFormat = 'csv' | 'jsonl';

/** The bytes of an upload: a Node stream, any (async) iterable of chunks, or the whole content at once. */
export type BulkSource =
  | AsyncIterable<Uint8Array | string>
  | Iterable<Uint8Array | string>
  | NodeJS.ReadableStream
  | Uint8Array
  | string;

/**
 * The generation request of one row, in the provider's field names (see `GenerationInput` in core):
 * the model, the prompt and the model's parameters as `validateParams` answered them.
 */
export type BulkInput = {
  model: string;
  prompt: string;
  [param: string]: string | number | boolean;
};

export type BulkMetadata = Record<string, string | number | boolean | null>;

/** One valid row, ready to become a job. */
export type BulkRow = {
  /** 1-based index among the data rows (blank lines and the CSV header are not rows). */
  row: number;
  /** 1-based line in the file where the row starts. */
  line: number;
  input: BulkInput;
  customId?: string;
  metadata?: BulkMetadata;
};

/** Why one row cannot be used. `column` is the CSV column or JSONL field at fault, when there is one. */
export type RowError = { line: number; row?: number; column?: string; message: string };

export type ParamIssue = { path: string; message: string };

/**
 * Per-model parameter checks, injected so this package does not depend on the provider client. It
 * gets `{ model, prompt, ...parameters }` with each parameter as the file wrote it (CSV text, a JSON
 * value; blank cells are left out) and answers the request to send (values typed, the model's id
 * canonical) or the issues. `validateGenerationParams` from `@vidqueue/aimlapi` in `text` mode fits.
 */
export type ValidateParams = (
  input: Record<string, unknown>,
) => { ok: true; value: BulkInput } | { ok: false; issues: readonly ParamIssue[] };

/**
 * Limits on a row's metadata, injected like `ValidateParams` (the rule is `metadataIssues` in
 * `@vidqueue/core/contract`, shared with single videos): each problem, with the key at fault when
 * there is one.
 */
export type ValidateMetadata = (metadata: BulkMetadata) => readonly { key?: string; message: string }[];

export type BulkOptions = {
  format: BulkFormat;
  /** Used for rows without a model. */
  defaultModel: string;
  validateParams: ValidateParams;
  /**
   * CSV column and JSONL field names that are model parameters (every field some model of the
   * catalogue takes: `Catalogue.fieldNames`). A row's value under such a name goes to `validateParams`
   * (blank: left out, the model's default), which refuses it for a row whose model lacks the field;
   * such a column is never metadata. Default: `aspect_ratio`, `duration`, `num_inference_steps`.
   */
  paramNames?: Iterable<string>;
  /** When given, a row whose metadata breaks it is invalid (column: the CSV column, or `metadata.<key>`). */
  validateMetadata?: ValidateMetadata;
  /** Merged over `DEFAULT_BULK_LIMITS`. */
  limits?: Partial<BulkLimits>;
};
