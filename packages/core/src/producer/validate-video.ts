/**
 * The one check of a video request, for `POST /v1/videos` and the SDK's `enqueue` alike: its shape and
 * limits (`videoRequestSchema`: prompt, custom_id, metadata…), then every other field against the
 * chosen model in the catalogue (`validateGenerationParams`). Refusals are VALIDATION_ERROR with one
 * issue per field. The job's input is exactly the validated request: nothing stripped, nothing added.
 */
import { validateGenerationParams, type Catalogue } from '@vidqueue/aimlapi';
import { unpairedSurrogate } from '@vidqueue/bulk';
import { IdempotencyKeySchema } from '../contract/idempotency.js';
import type { Metadata, NewGenerationJobData } from '../contract/job-data.js';
import { shownKey } from '../contract/metadata-limits.js';
import { videoRequestSchema, type VideoRequestLimits } from '../contract/video-request.js';
import { producerError, type FieldIssue } from './errors.js';

/** A schema problem as zod reports it (also what Fastify's zod type provider passes on). */
export type SchemaIssue = {
  path: readonly PropertyKey[];
  code?: string;
  message?: string;
  /** The unknown field names of an `unrecognized_keys` issue. */
  keys?: readonly unknown[];
};

/**
 * Field issues from schema issues: `metadata.campaign`, one entry per unknown field; where is the
 * place checked (`body` paths have no prefix; `headers.idempotency-key`, `query.model`).
 */
export function toFieldIssues(issues: readonly SchemaIssue[], where = 'body'): FieldIssue[] {
  return issues.flatMap((issue): FieldIssue[] => {
    const inner = issue.path.map(String).join('.');
    const base = where === 'body' ? inner || '(body)' : inner ? `${where}.${inner}` : where;
    if (issue.code === 'unrecognized_keys' && Array.isArray(issue.keys)) {
      return issue.keys.map((key) => ({
        path: base === '(body)' ? String(key) : `${base}.${String(key)}`,
        message: 'is not a known field',
      }));
    }
    return [{ path: base, message: issue.message ?? 'is invalid' }];
  });
}

const schemas = new Map<string, ReturnType<typeof videoRequestSchema>>();
function schemaFor(limits: VideoRequestLimits) {
  const id = `${limits.defaultModel}\n${limits.maxPromptLength}`;
  let schema = schemas.get(id);
  if (!schema) schemas.set(id, (schema = videoRequestSchema(limits)));
  return schema;
}

/**
 * custom_id and metadata strings holding half a character (JSON can write `"\ud83d"`; stored as UTF-8
 * it would become U+FFFD), as a batch row's are refused. The prompt and the model's fields are checked
 * by `validateGenerationParams`.
 */
function halfCharacters(customId: string | undefined, metadata: Metadata | undefined): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const check = (path: string, what: string, text: string): boolean => {
    const unit = unpairedSurrogate(text);
    if (unit !== undefined) {
      issues.push({
        path,
        message: `${what} contains an unpaired surrogate (${unit}): half of a character, not text`,
      });
    }
    return unit !== undefined;
  };
  if (customId !== undefined) check('custom_id', 'custom_id', customId);
  for (const [key, value] of Object.entries(metadata ?? {})) {
    const shown = JSON.stringify(shownKey(key));
    if (check('metadata', `metadata key ${shown}`, key)) continue;
    if (typeof value === 'string') check(`metadata.${shownKey(key)}`, `metadata value of ${shown}`, value);
  }
  return issues;
}

/**
 * A required field reported missing while the request has it under another case or with spaces
 * (`"Prompt"`, `" prompt "`, as spreadsheet headers come): the issue says which name was meant.
 */
export function withNameHints(issues: FieldIssue[], input: unknown): FieldIssue[] {
  if (typeof input !== 'object' || input === null) return issues;
  const given = Object.keys(input);
  return issues.map((issue) => {
    if (issue.message !== 'is required') return issue;
    const near = given.find((key) => key !== issue.path && key.trim().toLowerCase() === issue.path);
    return near === undefined
      ? issue
      : {
          ...issue,
          message: `is required (the request has ${JSON.stringify(near)}: field names are lower case, did you mean "${issue.path}"?)`,
        };
  });
}

/** The job data of a valid request, or throws VALIDATION_ERROR listing every problem. */
export function validateVideoRequest(
  input: unknown,
  limits: VideoRequestLimits,
  catalogue?: Catalogue,
): NewGenerationJobData {
  const parsed = schemaFor(limits).safeParse(input);
  if (!parsed.success)
    throw producerError.validation(withNameHints(toFieldIssues(parsed.error.issues), input));
  const { custom_id, metadata, max_cost_usd, webhook_url, webhook_events, ...params } = parsed.data;
  if (webhook_events !== undefined && webhook_url === undefined) {
    throw producerError.validation([{ path: 'webhook_events', message: 'needs webhook_url' }]);
  }
  const checked = validateGenerationParams(params, { ...limits, ...(catalogue && { catalogue }) });
  const halves = halfCharacters(custom_id, metadata);
  if (!checked.ok || halves.length > 0) {
    throw producerError.validation([...(checked.ok ? [] : checked.issues), ...halves]);
  }
  return {
    input: checked.value,
    ...(custom_id === undefined ? {} : { customId: custom_id }),
    ...(metadata === undefined ? {} : { metadata }),
    ...(max_cost_usd === undefined ? {} : { maxCostUsd: max_cost_usd }),
    ...(webhook_url === undefined
      ? {}
      : { webhook: { url: webhook_url, ...(webhook_events ? { events: webhook_events } : {}) } }),
  };
}

/** Refuses an Idempotency-Key the HTTP API refuses as a header (VALIDATION_ERROR on `idempotency-key`). */
export function checkIdempotencyKey(key: string | undefined): void {
  if (key === undefined) return;
  const checked = IdempotencyKeySchema.safeParse(key);
  if (!checked.success) {
    throw producerError.validation(
      checked.error.issues.map((issue) => ({ path: 'idempotency-key', message: issue.message })),
    );
  }
}
