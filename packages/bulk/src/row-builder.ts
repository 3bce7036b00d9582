import type { BulkLimits } from './limits.js';
import { codePointLength, unpairedSurrogate } from './text.js';
import type { BulkMetadata, BulkRow, RowError, ValidateMetadata, ValidateParams } from './types.js';

/** The fields every row may set whatever its model, in CSV column and JSONL field names. */
export const RESERVED_FIELDS = ['prompt', 'model', 'custom_id'] as const;
export type ReservedField = (typeof RESERVED_FIELDS)[number];

/** Parameter names when the caller gives none: the Kandinsky 5 fields, what files always had. */
export const LEGACY_PARAM_NAMES = ['aspect_ratio', 'duration', 'num_inference_steps'] as const;

/** Which names a row's fields may have: the reserved ones, and the models' parameters. */
export type FieldNames = {
  isReserved(name: string): name is ReservedField;
  isParam(name: string): boolean;
};

export function fieldNames(params: Iterable<string> = LEGACY_PARAM_NAMES): FieldNames {
  const reserved: ReadonlySet<string> = new Set(RESERVED_FIELDS);
  const names = new Set([...params].filter((n) => !reserved.has(n)));
  return {
    isReserved: (name): name is ReservedField => reserved.has(name),
    isParam: (name) => names.has(name),
  };
}

/** One row as a format reader found it, before its values are checked. */
export type RowCandidate = {
  row: number;
  line: number;
  /** Raw values of the reserved fields: strings from CSV, any JSON value from JSONL. */
  fields: Partial<Record<ReservedField, unknown>>;
  /** Raw values of the parameters (null prototype), as written; checked against the row's model. */
  params: Record<string, unknown>;
  metadata?: BulkMetadata;
  /** Problems the format reader already found (unknown fields, bad metadata...). */
  errors: RowError[];
  /** The row could not be split into fields (invalid JSON, ragged CSV row): `errors` says why, nothing more is checked. */
  unreadable?: boolean;
};

/** A candidate with no fields yet. */
export function emptyCandidate(row: number, line: number, errors: RowError[] = []): RowCandidate {
  return { row, line, fields: {}, params: Object.create(null) as Record<string, unknown>, errors };
}

export type RowContext = {
  defaultModel: string;
  validateParams: ValidateParams;
  validateMetadata?: ValidateMetadata;
  /** The column a metadata problem is reported under: the CSV column (the key), or `metadata.<key>` in JSONL. */
  metadataColumn: (key: string | undefined) => string | undefined;
  limits: BulkLimits;
  /** custom_id → line of its first use. The only per-file state, bounded by maxRows. */
  customIds: Map<string, number>;
};

export type BuiltRow = { ok: true; row: BulkRow } | { ok: false; errors: RowError[] };

/** A short rendering of a value for messages (cells can be huge). */
export function shown(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** The message for a string holding an unpaired surrogate, naming what holds it; undefined when it is text. */
function surrogateMessage(what: string, value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const unit = unpairedSurrogate(value);
  return unit === undefined
    ? undefined
    : `${what} contains an unpaired surrogate (${unit}): half of a character, not text`;
}

/**
 * Checks one row: every string is text (no unpaired surrogate, which JSON can write), the prompt,
 * custom_id uniqueness, then the model and its parameters through `validateParams` (a blank parameter
 * is left out: the model's default), then the metadata. Every problem is reported with its column; a
 * column already reported is not reported again by the parameter check.
 */
export function buildRow(candidate: RowCandidate, ctx: RowContext): BuiltRow {
  const { row, line, fields } = candidate;
  if (candidate.unreadable === true) return { ok: false, errors: candidate.errors };
  const errors: RowError[] = [...candidate.errors];
  const fail = (column: string | undefined, message: string): void => {
    errors.push(column === undefined ? { line, row, message } : { line, row, column, message });
  };
  const reportedOn = (column: string): boolean => errors.some((e) => e.column === column);
  // Half characters first: a field holding one is reported once, for that, and not checked further.
  for (const field of RESERVED_FIELDS) {
    const message = surrogateMessage(field, fields[field]);
    if (message !== undefined) fail(field, message);
  }
  for (const [name, value] of Object.entries(candidate.params)) {
    const message = surrogateMessage(name, value);
    if (message !== undefined) fail(name, message);
  }
  const metadataProblems = new Set<string>();
  for (const [key, value] of Object.entries(candidate.metadata ?? {})) {
    // A bad key is reported under `metadata` (JSONL: only JSON can write one), not under itself.
    const badKey = surrogateMessage(`metadata key ${shown(key)}`, key);
    const message = badKey ?? surrogateMessage(`metadata value of ${shown(key)}`, value);
    if (message === undefined) continue;
    metadataProblems.add(key);
    fail(ctx.metadataColumn(badKey === undefined ? key : undefined), message);
  }
  const text = (field: ReservedField): string | undefined => {
    const value = fields[field];
    if (isBlank(value)) return undefined;
    if (typeof value === 'string') return value.trim();
    fail(field, `${field} must be a string (got ${shown(value)})`);
    return undefined;
  };
  const prompt = text('prompt');
  if (prompt === undefined && !reportedOn('prompt')) {
    fail('prompt', 'prompt is required and must not be empty');
  } else if (prompt !== undefined && prompt.length > ctx.limits.maxPromptLength && !reportedOn('prompt')) {
    const length = codePointLength(prompt);
    if (length > ctx.limits.maxPromptLength) {
      fail('prompt', `prompt is ${length} characters long; the limit is ${ctx.limits.maxPromptLength}`);
    }
  }

  let customId: string | undefined;
  const rawId = fields.custom_id;
  if (typeof rawId === 'number' && Number.isSafeInteger(rawId)) customId = String(rawId);
  else customId = text('custom_id');
  if (customId !== undefined && !reportedOn('custom_id')) {
    const first = ctx.customIds.get(customId);
    if (customId.length > ctx.limits.maxCustomIdLength) {
      fail(
        'custom_id',
        `custom_id is ${customId.length} characters long; the limit is ${ctx.limits.maxCustomIdLength}`,
      );
    } else if (first !== undefined) {
      fail('custom_id', `custom_id ${shown(customId)} is already used on line ${first}`);
    } else {
      ctx.customIds.set(customId, line);
    }
  }

  const request: Record<string, unknown> = { model: text('model') ?? ctx.defaultModel, prompt: prompt ?? '' };
  for (const [name, value] of Object.entries(candidate.params)) if (!isBlank(value)) request[name] = value;
  const checked = ctx.validateParams(request);
  if (!checked.ok) {
    const reported = new Set(errors.map((e) => e.column));
    for (const issue of checked.issues) {
      const column = issue.path.split('.').pop() || undefined;
      if (column !== undefined && reported.has(column)) continue;
      fail(column, issue.message);
    }
  }

  if (candidate.metadata !== undefined && ctx.validateMetadata !== undefined) {
    for (const issue of ctx.validateMetadata(candidate.metadata)) {
      if (issue.key !== undefined && metadataProblems.has(issue.key)) continue;
      fail(ctx.metadataColumn(issue.key), issue.message);
    }
  }

  if (errors.length > 0 || !checked.ok) return { ok: false, errors };
  const result: BulkRow = { row, line, input: checked.value };
  if (customId !== undefined) result.customId = customId;
  if (candidate.metadata !== undefined) result.metadata = candidate.metadata;
  return { ok: true, row: result };
}
