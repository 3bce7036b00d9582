import type { BulkLimits } from './limits.js';

export type BulkFormat = 'csv' | 'jsonl';

/** The bytes of an upload: a Node stream, any (async) iterable of chunks, or the whole content at once. */
export type BulkSource =
  | AsyncIterable<Uint8Array | string>
  | Iterable<Uint8Array | string>
  | NodeJS.ReadableStream
  | Uint8Array
  | string;

/** The generation request of one row, in the provider's field names (see `GenerationInput` in core). */
export type BulkInput = {
  model: string;
  prompt: string;
  aspect_ratio?: string;
  duration?: number;
  num_inference_steps?: number;
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
 * Per-model parameter checks, injected so this package does not depend on the provider client.
 * `validateGenerationParams` from `@vidqueue/aimlapi` fits.
 */
export type ValidateParams = (
  input: Record<string, unknown>,
) => { ok: true } | { ok: false; issues: readonly ParamIssue[] };

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
  /** When given, a row whose metadata breaks it is invalid (column: the CSV column, or `metadata.<key>`). */
  validateMetadata?: ValidateMetadata;
  /** Merged over `DEFAULT_BULK_LIMITS`. */
  limits?: Partial<BulkLimits>;
};
