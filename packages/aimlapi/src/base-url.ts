/**
 * The provider's base URL as people write it: `https://api.aimlapi.com`, with or without a trailing
 * `/`, `/v1` or `/v2` (the docs show both `…/v1/models` and `…/v2/video/generations`, so users copy
 * either prefix). Normalised to the origin plus any proxy path, without the version segment, because
 * the client appends `/v1/…` or `/v2/…` per route. A URL naming a whole endpoint
 * (`…/v2/video/generations`) or carrying credentials, a query or a fragment is refused: such a base
 * would make every call 404 (or leak a secret into logs) instead of failing at start.
 */
export function normalizeBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TypeError('is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError('must be http or https');
  if (url.username !== '' || url.password !== '') throw new TypeError('must not contain credentials');
  if (url.search !== '' || url.hash !== '') throw new TypeError('must not have a query or fragment');
  let path = url.pathname.replace(/\/+$/, '');
  path = path.replace(/\/v[12]$/i, '');
  if (/\/v[12](\/|$)/i.test(path) || /\/video\/generations$/i.test(path)) {
    throw new TypeError(
      'must be the API base (such as https://api.aimlapi.com), not the URL of one endpoint',
    );
  }
  return `${url.origin}${path}`;
}
