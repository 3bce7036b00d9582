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
  interface FastifyInstance {
    /**
     * True when the request may see what `API_TOKENS` protects: it carries a valid bearer token, or no
     * tokens are configured (the API then serves loopback only). Public routes use it to keep details
     * (the provider's account message on /healthz) for such callers.
     */
    hasApiAccess(request: FastifyRequest): boolean;
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
 * page's cookie on /v1 routes and the page's own) passes too.
 */
export const authPlugin = fp(
  (app: FastifyInstance, options: AuthOptions) => {
    const tokens = (options.tokens ?? []).filter((t) => t.length > 0);
    const matches = makeSecretMatcher(tokens);
    const hasToken = (request: FastifyRequest): boolean => {
      const match = BEARER.exec(request.headers.authorization ?? '');
      return match?.[1] !== undefined && matches(match[1]);
    };
    app.decorate('hasApiAccess', (request: FastifyRequest) => tokens.length === 0 || hasToken(request));
    if (tokens.length === 0) return;

    app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      const auth = request.routeOptions.config.auth ?? 'token';
      if (auth !== 'token') return;
      // The web page's session cookie, already checked (with its CSRF token) by web/session-plugin.ts.
      if (request.webSession) return;
      if (hasToken(request)) return;
      reply.header('WWW-Authenticate', 'Bearer realm="vidqueue"');
      throw new HttpError.Unauthorized();
    });
  },
  { name: 'vidq-auth' },
);
