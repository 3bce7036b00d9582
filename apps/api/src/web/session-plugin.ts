import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { HttpError } from '../errors.js';
import { SESSION_COOKIE, readCookie } from './cookie.js';
import { createSessionStore, sha256Hex, type SessionStore, type WebSession } from './session-store.js';

/** The header the page sends its CSRF token in: a form of another site cannot set a header. */
export const CSRF_HEADER = 'x-vidq-csrf';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A route of the web page (pages, sign-in): the session cookie is read for it, as for /v1. */
    web?: boolean;
  }
  interface FastifyRequest {
    /** The page's session, when the request came with a valid session cookie (and, if state-changing, CSRF token). */
    webSession: (WebSession & { id: string }) | null;
  }
  interface FastifyInstance {
    webSessions: SessionStore;
  }
}

const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(sha256Hex(given), 'hex');
  const b = Buffer.from(sha256Hex(expected), 'hex');
  return timingSafeEqual(a, b);
}

/** Whether the cookie is read for this request: the /v1 API and the page's own routes, nothing else. */
function cookieRoute(request: FastifyRequest): boolean {
  const url = request.routeOptions.url ?? '';
  return url.startsWith('/v1/') || url === '/v1' || request.routeOptions.config.web === true;
}

/**
 * The web page's session cookie, for when API_TOKENS is set (without tokens the API and the page are
 * open on loopback and this does nothing). An `onRequest` hook registered before authentication reads
 * the cookie on the /v1 routes and the page's own, never on Bull Board (basic auth), /docs or /metrics
 * (bearer token): when the session is valid and its token still configured, `request.webSession` is set
 * and the auth plugin lets the request through as if it carried the bearer token. It runs after the
 * origin guard (plugins/origin-guard.ts), so every request it sees has passed that guard's rules, and
 * on a state-changing request the cookie counts only when the guard found it comes from our own page
 * (`request.fromOwnPage`: an allowed Origin, or Sec-Fetch-Site: same-origin). A request that
 * carries an `Authorization` header is judged by that header alone. A state-changing request must also
 * send the session's CSRF token in `x-vidq-csrf` (which the page reads from `GET /web/session`, a
 * same-origin read): 403 `CSRF_TOKEN_INVALID` otherwise, even with a valid cookie.
 */
export const webSessionPlugin = fp(
  (app: FastifyInstance, options: { tokens: readonly string[] }, done: (err?: Error) => void) => {
    const digests = new Set(options.tokens.filter((t) => t.length > 0).map(sha256Hex));
    const store = createSessionStore(app.redis, app.keys, app.withRedis);
    app.decorate('webSessions', store);
    app.decorateRequest('webSession', null);
    if (digests.size === 0) {
      done();
      return;
    }
    app.addHook('onRequest', async (request) => {
      if (!cookieRoute(request) || request.headers.authorization !== undefined) return;
      const id = readCookie(request.headers.cookie, SESSION_COOKIE);
      if (id === undefined) return;
      const session = await store.get(id);
      if (!session || !digests.has(session.tokenDigest)) return;
      if (!SAFE_METHODS.has(request.method)) {
        // The origin guard says whether the request proves it comes from our own page (an allowed
        // Origin, or Sec-Fetch-Site: same-origin); a cookie on any other is ignored, never trusted.
        if (!request.fromOwnPage) return;
        const given = request.headers[CSRF_HEADER];
        if (typeof given !== 'string' || !sameSecret(given, session.csrf))
          throw new HttpError.CsrfTokenInvalid();
      }
      request.webSession = { ...session, id };
    });
    done();
  },
  { name: 'vidq-web-session', dependencies: ['vidq-origin-guard', 'vidq-producer'] },
);
