import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { HttpError } from '../errors.js';

/** Who may call a route: bearer token (default), anyone, or the dashboard's basic auth. */
export type RouteAuth = 'token' | 'public' | 'dashboard';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAuth;
  }
}

export type AuthOptions = {
  /** API_TOKENS; when empty or absent, no route asks for a token (the API then binds loopback only). */
  tokens: readonly string[] | undefined;
};

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * True when `candidate` equals one of the secrets, in time that depends on neither: both sides are
 * hashed to 32 bytes first (timingSafeEqual needs equal lengths) and every secret is compared.
 */
export function makeSecretMatcher(secrets: readonly string[]): (candidate: string) => boolean {
  const digests = secrets.map(digest);
  return (candidate) => {
    const given = digest(candidate);
    let found = false;
    for (const d of digests) found = timingSafeEqual(d, given) || found;
    return found;
  };
}

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

/**
 * Bearer tokens from API_TOKENS on every route, except routes marked `config: { auth: 'public' }`
 * (/healthz, /readyz, the web page's files) and the dashboard's (`auth: 'dashboard'`, which checks basic
 * auth itself). A request the web session plugin has authenticated (`request.webSession`, set from the
 * page's cookie on /v1 routes only) passes too.
 */
export const authPlugin = fp(
  (app: FastifyInstance, options: AuthOptions) => {
    const tokens = (options.tokens ?? []).filter((t) => t.length > 0);
    if (tokens.length === 0) return;
    const matches = makeSecretMatcher(tokens);

    app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      const auth = request.routeOptions.config.auth ?? 'token';
      if (auth !== 'token') return;
      // The web page's session cookie, already checked (with its CSRF token) by web/session-plugin.ts.
      if (request.webSession) return;
      const match = BEARER.exec(request.headers.authorization ?? '');
      if (match?.[1] !== undefined && matches(match[1])) return;
      reply.header('WWW-Authenticate', 'Bearer realm="vidqueue"');
      throw new HttpError.Unauthorized();
    });
  },
  { name: 'vidq-auth' },
);
