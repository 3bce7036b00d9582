import { PermanentError } from './errors.js';
import { readNumber } from './normalize.js';
import type { UsageLogPage, UsageLogRow, UsageLogsQuery } from './types.js';

/**
 * `GET /v2/logs`: the query as the provider's OpenAPI file (logs-v2.json) describes it, and its answer
 * read defensively. Window: `period` (`24h`, `7d`) or both `start` and `end` (ISO-8601), never both;
 * `model` and `status` repeated (a comma does not split); `limit` 1–100; `offset` ≥ 0.
 */
export const LOGS_PATH = '/v2/logs';
export const MAX_LOGS_LIMIT = 100;
/** Most `model` values one logs request may repeat (the reference: "up to 50"). */
export const MAX_LOGS_MODELS = 50;

function iso(value: Date | string): string {
  return typeof value === 'string' ? value : value.toISOString();
}

function list<T>(value: T | readonly T[] | undefined): readonly T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? (value as readonly T[]) : [value as T];
}

/** The query string of a logs request; a query the provider would refuse is refused here, before sending. */
export function logsSearchParams(query: UsageLogsQuery): URLSearchParams {
  const refuse = (why: string): never => {
    throw new PermanentError(`AI/ML API logs: ${why}; nothing was sent`);
  };
  const params = new URLSearchParams();
  const hasRange = query.start !== undefined || query.end !== undefined;
  if (query.period !== undefined && hasRange) refuse('give either period or start and end, not both');
  if (hasRange && (query.start === undefined || query.end === undefined)) refuse('start and end go together');
  if (query.period === undefined && !hasRange) refuse('a window is required (period, or start and end)');
  if (query.period !== undefined) {
    if (!/^[1-9]\d*[hd]$/.test(query.period)) refuse('period must be like 24h or 7d');
    params.set('period', query.period);
  } else {
    params.set('start', iso(query.start!));
    params.set('end', iso(query.end!));
  }
  const models = list(query.model);
  if (models.length > MAX_LOGS_MODELS)
    refuse(`at most ${MAX_LOGS_MODELS} models per request (got ${models.length})`);
  for (const model of models) params.append('model', model);
  for (const status of list(query.status)) params.append('status', status);
  if (query.limit !== undefined) {
    if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_LOGS_LIMIT) {
      refuse(`limit must be an integer from 1 to ${MAX_LOGS_LIMIT}`);
    }
    params.set('limit', String(query.limit));
  }
  if (query.offset !== undefined) {
    if (!Number.isInteger(query.offset) || query.offset < 0) refuse('offset must be a whole number');
    params.set('offset', String(query.offset));
  }
  return params;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** One row; every field may be missing (only what is there is kept). */
function rowOf(raw: unknown): UsageLogRow | undefined {
  if (!isRecord(raw)) return undefined;
  const created = str(raw.created);
  const createdAt = created === undefined ? Number.NaN : Date.parse(created);
  const cost = isRecord(raw.cost) ? raw.cost : {};
  const costUsd = readNumber(cost.usd);
  const creditsUsed = readNumber(cost.credits);
  const row: UsageLogRow = { status: str(raw.status) ?? 'unknown' };
  if (created !== undefined) row.created = created;
  if (Number.isFinite(createdAt)) row.createdAt = createdAt;
  const fields = [
    ['model', raw.model],
    ['origin', raw.origin],
    ['requestId', raw.request_id],
    ['inferenceId', raw.inference_id],
    ['clientRequestId', raw.client_request_id],
  ] as const;
  for (const [name, value] of fields) {
    const text = str(value);
    if (text !== undefined) row[name] = text;
  }
  if (costUsd !== undefined) row.costUsd = costUsd;
  if (creditsUsed !== undefined) row.creditsUsed = creditsUsed;
  return row;
}

/**
 * A page of rows, or undefined when the answer is not `{ data: [...] }`. `hasMore` comes from
 * `pagination.has_more`; without it, from `total`; without both, a full page means "maybe more" (a
 * caller that stops early could miss the row it looks for).
 */
export function parseLogsPage(body: unknown, query: UsageLogsQuery): UsageLogPage | undefined {
  if (!isRecord(body) || !Array.isArray(body.data)) return undefined;
  const rows = body.data.map(rowOf).filter((r): r is UsageLogRow => r !== undefined);
  const pagination = isRecord(body.pagination) ? body.pagination : {};
  const limit = readNumber(pagination.limit) ?? query.limit ?? 50;
  const offset = readNumber(pagination.offset) ?? query.offset ?? 0;
  const total = readNumber(pagination.total);
  const hasMore =
    typeof pagination.has_more === 'boolean'
      ? pagination.has_more
      : total !== undefined
        ? offset + body.data.length < total
        : body.data.length >= limit && body.data.length > 0;
  return { rows, limit, offset, hasMore, ...(total !== undefined && { total }) };
}
