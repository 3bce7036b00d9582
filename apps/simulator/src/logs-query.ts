import type { BodyIssue } from './schema-check.js';
import type { LogQuery } from './usage-logs.js';

/**
 * The query of `GET /v2/logs` (provider docs, logs-v2.json): a window given either as `period`
 * (`24h`, `7d`) or as both `start` and `end` (ISO-8601; no offset means UTC; `end` not before `start`;
 * at most 92 days), never both; `model` and `status` repeated (a comma does not split: a comma in a
 * status is a 400, in a model it matches nothing); `limit` 1-100 (default 50); `offset` >= 0.
 * A request with no window at all is refused too: the docs say to give one of the two forms.
 */

const DAY_MS = 86_400_000;
export const MAX_WINDOW_DAYS = 92;
export const MAX_MODELS = 50;
const STATUSES = ['succeeded', 'failed'] as const;

export type LogsQueryCheck =
  { ok: true; query: Omit<LogQuery, 'keyId'> } | { ok: false; issues: BodyIssue[] };

const issue = (path: string, message: string, expected: string, received: string): BodyIssue => ({
  code: 'invalid_type',
  path: [path],
  message,
  expected,
  received,
});

/** One value, or an issue when the parameter was repeated. */
function single(query: Record<string, unknown>, name: string, issues: BodyIssue[]): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) {
    issues.push(issue(name, `${name} must be given once`, 'string', 'array'));
    return undefined;
  }
  return typeof value === 'string' ? value : undefined;
}

function list(query: Record<string, unknown>, name: string): string[] {
  const value = query[name];
  return (Array.isArray(value) ? (value as unknown[]) : [value]).filter(
    (v): v is string => typeof v === 'string',
  );
}

const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** Epoch ms of an ISO-8601 date; no offset means UTC. */
export function parseIsoUtc(text: string): number | undefined {
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  const hasTime = /[T ]/i.test(text.trim());
  const normalized = text.trim().replace(' ', 'T');
  const ms = Date.parse(m[1] === undefined && hasTime ? `${normalized}Z` : normalized);
  return Number.isNaN(ms) ? undefined : ms;
}

function integer(
  text: string | undefined,
  name: string,
  min: number,
  max: number,
  fallback: number,
  issues: BodyIssue[],
): number {
  if (text === undefined) return fallback;
  const n = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!(n >= min && n <= max)) {
    const bounds =
      max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
    issues.push({ ...issue(name, `${name} must be ${bounds}`, bounds, `'${text}'`), code: 'too_big' });
  }
  return n;
}

function window(query: Record<string, unknown>, now: number, issues: BodyIssue[]) {
  const period = single(query, 'period', issues);
  const start = single(query, 'start', issues);
  const end = single(query, 'end', issues);
  const either = 'Provide either period or both start and end, never both';
  if (period !== undefined && (start !== undefined || end !== undefined)) {
    issues.push(issue('period', either, 'period or start+end', 'both'));
    return undefined;
  }
  if (period !== undefined) {
    const m = /^([1-9]\d*)([hd])$/.exec(period.trim());
    if (!m) {
      issues.push(
        issue(
          'period',
          'period must be a positive integer followed by h or d, e.g. 24h or 7d',
          '<n>h or <n>d',
          `'${period}'`,
        ),
      );
      return undefined;
    }
    return { from: now - Number(m[1]) * (m[2] === 'h' ? 3_600_000 : DAY_MS), to: now };
  }
  if (start === undefined || end === undefined) {
    const missing = start === undefined ? 'start' : 'end';
    issues.push(
      issue(
        start === undefined && end === undefined ? 'period' : missing,
        either,
        'period or start+end',
        'undefined',
      ),
    );
    return undefined;
  }
  const from = parseIsoUtc(start);
  const to = parseIsoUtc(end);
  if (from === undefined)
    issues.push(issue('start', 'start must be an ISO-8601 date', 'ISO-8601', `'${start}'`));
  if (to === undefined) issues.push(issue('end', 'end must be an ISO-8601 date', 'ISO-8601', `'${end}'`));
  if (from === undefined || to === undefined) return undefined;
  if (to < from) issues.push(issue('end', 'end must not be earlier than start', `>= ${start}`, `'${end}'`));
  else if (to - from > MAX_WINDOW_DAYS * DAY_MS) {
    issues.push(
      issue(
        'end',
        `the window must not exceed ${MAX_WINDOW_DAYS} days`,
        `<= ${MAX_WINDOW_DAYS} days`,
        `${((to - from) / DAY_MS).toFixed(1)} days`,
      ),
    );
  }
  return { from, to };
}

export function parseLogsQuery(query: Record<string, unknown>, now: number): LogsQueryCheck {
  const issues: BodyIssue[] = [];
  const range = window(query, now, issues);
  const models = list(query, 'model');
  if (models.length > MAX_MODELS) {
    issues.push({
      ...issue(
        'model',
        `at most ${MAX_MODELS} model values`,
        `<= ${MAX_MODELS} values`,
        `${models.length} values`,
      ),
      code: 'too_big',
    });
  }
  const statuses = list(query, 'status');
  for (const s of statuses) {
    if (!(STATUSES as readonly string[]).includes(s)) {
      issues.push({
        code: 'invalid_enum_value',
        path: ['status'],
        message: `Invalid enum value. Expected 'succeeded' | 'failed', received '${s}'`,
        expected: "'succeeded' | 'failed'",
        received: `'${s}'`,
      });
    }
  }
  const limit = integer(single(query, 'limit', issues), 'limit', 1, 100, 50, issues);
  const offset = integer(single(query, 'offset', issues), 'offset', 0, Number.MAX_SAFE_INTEGER, 0, issues);
  if (issues.length > 0 || range === undefined) return { ok: false, issues };
  return {
    ok: true,
    query: {
      ...range,
      ...(models.length > 0 && { models }),
      ...(statuses.length > 0 && { statuses: new Set(statuses as ('succeeded' | 'failed')[]) }),
      limit,
      offset,
    },
  };
}
