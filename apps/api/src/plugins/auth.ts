import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { HttpError } from '../errors.js';
import { refuse, type AuthFailureLimiter, type AuthRefusal } from './auth-failures.js';

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
     * (the provider's account message on /healthz) for such callers. A wrong token counts as a failed
     * check (AUTH_FAILURE_LIMIT) and a blocked client has no access, so a public route is no oracle for
     * guessing tokens.
     */
    hasApiAccess(request: FastifyRequest): Promise<boolean>;
  }
}

export type AuthOptions = {
  /** API_TOKENS; when empty or absent, no route asks for a token (the API then binds loopback only). */
  tokens: readonly string[] | undefined;
  /** Failed token checks per client IP (AUTH_FAILURE_LIMIT), shared with the dashboard and the web sign-in. */
  authFailures: AuthFailureLimiter;
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
 *
 * A client IP over AUTH_FAILURE_LIMIT is refused with 429 before its token is looked at (a right guess
 * during the block does not pass); a request that sent an Authorization header without a valid bearer
 * token counts as one failure; one with no header at all is refused with 401 without counting (it guessed
 * nothing: a page or tool that has not signed in yet).
 */
export const authPlugin = fp(
  (app: FastifyInstance, options: AuthOptions) => {
    const tokens = (options.tokens ?? []).filter((t) => t.length > 0);
    const matches = makeSecretMatcher(tokens);
    const hasToken = (request: FastifyRequest): boolean => {
      const match = BEARER.exec(request.headers.authorization ?? '');
      return match?.[1] !== undefined && matches(match[1]);
    };
    /** The request's bearer token checked (a wrong one counted), or the client's refusal while it is blocked. */
    const verdict = async (request: FastifyRequest): Promise<AuthRefusal | boolean> => {
      const refusal = await options.authFailures.refusal(request);
      if (refusal) return refusal;
      if (hasToken(request)) return true;
      if ((request.headers.authorization ?? '') !== '')
        await options.authFailures.failed(request, 'api token');
      return false;
    };
    app.decorate(
      'hasApiAccess',
      async (request: FastifyRequest) => tokens.length === 0 || (await verdict(request)) === true,
    );
    if (tokens.length === 0) return;

    app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      const auth = request.routeOptions.config.auth ?? 'token';
      if (auth !== 'token') return;
      // The web page's session cookie, already checked (with its CSRF token) by web/session-plugin.ts.
      if (request.webSession) return;
      const checked = await verdict(request);
      if (checked === true) return;
      if (checked !== false) refuse(reply, checked);
      reply.header('WWW-Authenticate', 'Bearer realm="vidqueue"');
      throw new HttpError.Unauthorized();
    });
  },
  { name: 'vidq-auth' },
);
