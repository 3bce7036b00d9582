import type { Attributes } from '@opentelemetry/api';

/**
 * `url` as it may be recorded: without user and password, and with the value of every query parameter
 * not named in `keep` replaced by `REDACTED` (the OpenTelemetry HTTP conventions' advice for `url.full`).
 * An unparseable URL is not recorded at all.
 */
export function redactUrl(url: string, keep: readonly string[] = []): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  parsed.username = '';
  parsed.password = '';
  const query = [...parsed.searchParams].map(([k, v]): [string, string] => [
    k,
    keep.includes(k) ? v : 'REDACTED',
  ]);
  parsed.search = new URLSearchParams(query).toString();
  return parsed.toString();
}

/**
 * The attributes of an HTTP client span (semantic conventions for HTTP clients, stable since 1.23):
 * `http.request.method`, `server.address`, `server.port`, `url.full` (redacted as above) and
 * `url.template` when given. Headers and bodies are never recorded.
 */
export function httpClientAttributes(
  method: string,
  url: string,
  options: { keepQuery?: readonly string[]; template?: string } = {},
): Attributes {
  const full = redactUrl(url, options.keepQuery);
  const attributes: Attributes = { 'http.request.method': method };
  if (full === undefined) return attributes;
  const parsed = new URL(full);
  attributes['server.address'] = parsed.hostname;
  attributes['server.port'] = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
  attributes['url.full'] = full;
  if (options.template !== undefined) attributes['url.template'] = options.template;
  return attributes;
}
