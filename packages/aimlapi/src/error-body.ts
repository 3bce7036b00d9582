/**
 * Reads the provider's error answers. Seen shapes:
 * - `{ message, path, requestId, statusCode, timestamp }` (statusCode may be a string);
 * - `application/problem+json` `{ title, status, message, error: { name, message } }`;
 * - 400 "Body validation error!" whose hints (Expected ..., Received ...) come inside `message`
 *   (multi-line or a list of strings) or as a list of issues (`errors`, `issues`, `details`, `detail`).
 * The message is read from `message`, then `error.message`, then `title`, then `error` / `detail`
 * as strings, then the raw text.
 */

export type ProviderErrorBody = { message?: string; requestId?: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
  if (Array.isArray(value)) {
    const parts = value.map(text).filter((p): p is string => p !== undefined);
    return parts.length > 0 ? parts.join('; ') : undefined;
  }
  return undefined;
}

function show(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** One validation issue as `path: message (expected X, received Y)`. */
function issueText(issue: unknown): string | undefined {
  if (typeof issue === 'string') return text(issue);
  if (!isRecord(issue)) return undefined;
  const rawPath = issue.path ?? issue.loc ?? issue.field;
  const path = Array.isArray(rawPath) ? rawPath.map(String).join('.') : text(rawPath);
  const message = text(issue.message) ?? text(issue.msg);
  const hints = [
    issue.expected !== undefined ? `expected ${show(issue.expected)}` : undefined,
    issue.received !== undefined ? `received ${show(issue.received)}` : undefined,
  ].filter((h): h is string => h !== undefined);
  const head = [path, message].filter(Boolean).join(': ');
  const tail = hints.length > 0 ? `(${hints.join(', ')})` : '';
  const out = [head, tail].filter(Boolean).join(' ');
  return out === '' ? undefined : out;
}

function issues(body: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const key of ['errors', 'issues', 'details', 'detail'] as const) {
    const list = body[key];
    if (!Array.isArray(list)) continue;
    for (const item of list) {
      const t = issueText(item);
      if (t !== undefined) out.push(t);
    }
  }
  const own = issueText({ expected: body.expected, received: body.received });
  if (own !== undefined) out.push(own);
  return out;
}

/** The longest text we keep from an HTML error page: its title says what happened, the rest is markup. */
export const MAX_HTML_TEXT = 160;

const ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  '#39': "'",
};

function looksLikeHtml(raw: string, contentType: string | null | undefined): boolean {
  return /html/i.test(contentType ?? '') || /^\s*<(?:!doctype|html|head|body)\b/i.test(raw);
}

/**
 * The gist of an HTML error page (a proxy's 524 or 408, a gateway's 502): its `<title>`, else its first
 * `<h1>`, else its text without tags, scripts and styles; entities decoded, whitespace collapsed, cut to
 * MAX_HTML_TEXT characters, and marked as a page so nobody mistakes it for the provider's own words.
 */
export function htmlErrorText(raw: string): string | undefined {
  const pick =
    /<title[^>]*>([\s\S]*?)<\/title>/i.exec(raw)?.[1] ??
    /<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(raw)?.[1] ??
    raw.replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ');
  const text = pick
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#?\w+);/g, (whole, name: string) => ENTITIES[name.toLowerCase()] ?? whole)
    .replace(/\s+/g, ' ')
    .trim();
  if (text === '') return undefined;
  const cut = text.length > MAX_HTML_TEXT ? `${text.slice(0, MAX_HTML_TEXT - 1)}…` : text;
  return `${cut} (an HTML error page, not the provider's JSON)`;
}

/**
 * The provider's message and request id from an error answer's raw text (JSON or not). An HTML page
 * (content type `text/html`, or text starting like one) is reduced to its title (`htmlErrorText`):
 * its markup never becomes an error message.
 */
export function parseErrorBody(raw: string, contentType?: string | null): ProviderErrorBody {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    if (looksLikeHtml(raw, contentType)) {
      const gist = htmlErrorText(raw);
      return gist === undefined ? {} : { message: gist };
    }
    const trimmed = raw.trim();
    return trimmed === '' ? {} : { message: trimmed };
  }
  if (!isRecord(body)) {
    const t = text(body);
    return t !== undefined ? { message: t } : raw.trim() === '' ? {} : { message: raw.trim() };
  }
  const error = isRecord(body.error) ? body.error : {};
  const primary =
    text(body.message) ??
    text(error.message) ??
    text(body.title) ??
    text(body.error) ??
    text(body.detail) ??
    text(error.name);
  const hints = issues(body).filter((hint) => !primary?.includes(hint));
  const parts = [primary, hints.length > 0 ? hints.join('; ') : undefined].filter(
    (p): p is string => p !== undefined,
  );
  const message = parts.length > 0 ? parts.join(': ') : raw.trim() || undefined;
  const requestId = text(body.requestId) ?? text(body.request_id);
  return {
    ...(message !== undefined && { message }),
    ...(requestId !== undefined && { requestId }),
  };
}
