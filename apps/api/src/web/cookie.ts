/**
 * The one cookie the web page uses, read and written by hand: a dozen lines instead of a dependency
 * (`@fastify/cookie` 11.1 needs `cookie` 2, which needs Node 22).
 */
export const SESSION_COOKIE = 'vidq_session';

/** The value of cookie `name` in a `Cookie` header, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1 || part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    return /^[A-Za-z0-9_-]{1,128}$/.test(value) ? value : undefined;
  }
  return undefined;
}

/**
 * `Set-Cookie` for the session: HttpOnly (scripts cannot read it), SameSite=Strict (a browser sends it
 * only with requests from our own site), Secure on https, Path=/; `maxAgeSeconds` 0 removes it.
 */
export function sessionCookie(value: string, options: { secure: boolean; maxAgeSeconds: number }): string {
  return [
    `${SESSION_COOKIE}=${value}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${options.maxAgeSeconds}`,
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}
