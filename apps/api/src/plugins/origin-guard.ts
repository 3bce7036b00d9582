/**
 * What a web page in the user's browser can make the API do, in one place. A page of any site can send
 * a "simple" request (a form POST, `multipart/form-data` included, or a bodiless `fetch` in `no-cors`
 * mode) to `127.0.0.1:3000` without a preflight, and a site whose DNS name is re-bound to 127.0.0.1
 * can even read the answers. Browsers mark such requests: `Origin` (every cross-origin request but a
 * GET navigation or subresource), `Sec-Fetch-Site` (`cross-site`, `same-site`, `same-origin`, `none`),
 * and the `Host` they meant. So, before anything else (an `onRequest` hook ahead of auth):
 *
 * 1. **Open API** (no API_TOKENS: loopback only, anyone on the machine may call it): the Host must
 *    name loopback (127.0.0.0/8, localhost, [::1]) with the port the request came in on, or an
 *    ALLOWED_HOSTS entry; any request with a foreign Origin, or with `Sec-Fetch-Site: cross-site`, is
 *    refused, reads included.
 * 2. **Every mode**: a state-changing request (anything but GET, HEAD, OPTIONS) is refused when its
 *    Origin is present and not allowed, or, without an Origin, when it says `Sec-Fetch-Site: cross-site`.
 *    An Origin is allowed when it is the API's own (its host is the request's Host) or listed in
 *    ALLOWED_ORIGINS. No CORS headers are ever sent, so an allowed origin only matters for same-origin
 *    pages behind a proxy that rewrites Host, and for form posts.
 *
 * Refusals are 403 `HOST_NOT_ALLOWED` / `CROSS_ORIGIN_REFUSED`. Clients that are not browsers (curl,
 * the SDK, `vidq`) send no Origin and no Sec-Fetch-* headers and are not affected.
 *
 * **Credentials a browser sends by itself must pass through here.** Bearer tokens never are (a page
 * cannot make the browser add one), but the dashboard's basic auth is, and so will be the web page's
 * session cookie. What a cookie session must do (and what this guard gives it):
 * - set the cookie `HttpOnly; SameSite=Strict; Path=/` (and `Secure` on https);
 * - read it only in an `onRequest` hook of a plugin registered after this one
 *   (`dependencies: ['vidq-origin-guard']`), so every request it sees has passed the rules above;
 * - on a state-changing request, accept the cookie only when `request.fromOwnPage` is true: the request
 *   names an allowed Origin, or says `Sec-Fetch-Site: same-origin`. Without either (an old browser, or a
 *   tool) the cookie is ignored, never trusted: SameSite is a browser promise, this is the server's.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { HttpError } from '../errors.js';
import { isLoopbackHost } from '../loopback.js';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * True when the request proves it comes from one of our own pages (or an allowed origin's): an
     * allowed `Origin` header, or `Sec-Fetch-Site: same-origin`. A cookie session trusts its cookie on a
     * state-changing request only then (see the top of origin-guard.ts).
     */
    fromOwnPage: boolean;
  }
}

export type OriginGuardOptions = {
  /** No API_TOKENS: the API is open to whoever reaches it (and binds loopback only). */
  open: boolean;
  /** ALLOWED_ORIGINS, normalised origins (`https://tool.example`). */
  allowedOrigins?: readonly string[] | undefined;
  /** ALLOWED_HOSTS: `name` or `name:port`, lower-case. */
  allowedHosts?: readonly string[] | undefined;
};

/** What the guard looks at in one request. */
export type RequestFacts = {
  method: string;
  host: string | undefined;
  origin: string | undefined;
  secFetchSite: string | undefined;
  /** The local port the connection came in on; undefined when there is no real socket (`inject`). */
  localPort: number | undefined;
};

export type Judgement =
  | { ok: true; fromOwnPage: boolean }
  | { ok: false; code: 'HOST_NOT_ALLOWED' | 'CROSS_ORIGIN_REFUSED'; message: string };

const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A header value as it appears in a message: at most 100 characters. */
function shown(value: string): string {
  return JSON.stringify(value.length > 100 ? `${value.slice(0, 99)}…` : value);
}

/** `{ hostname, port }` of a Host header value (port 80 when absent), or undefined when it is not one. */
function parseHost(host: string): { hostname: string; port: number; host: string } | undefined {
  if (!/^[^\s/?#@\\]+$/.test(host)) return undefined;
  try {
    const url = new URL(`http://${host}`);
    return { hostname: url.hostname, port: url.port === '' ? 80 : Number(url.port), host: url.host };
  } catch {
    return undefined;
  }
}

function hostAllowed(facts: RequestFacts, allowedHosts: readonly string[]): boolean {
  const parsed = facts.host === undefined ? undefined : parseHost(facts.host);
  if (!parsed) return false;
  const portMatches = (port: number) => facts.localPort === undefined || port === facts.localPort;
  if (isLoopbackHost(parsed.hostname) && portMatches(parsed.port)) return true;
  return allowedHosts.some((entry) => {
    const allowed = parseHost(entry);
    if (!allowed) return false;
    const hasPort = /:\d+$/.test(entry);
    return allowed.hostname === parsed.hostname && (!hasPort || allowed.port === parsed.port);
  });
}

function originAllowed(origin: string, host: string | undefined, allowedOrigins: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // `null` (sandboxed frames, file://) and anything else that is not an origin
  }
  if (url.origin === 'null') return false;
  if (allowedOrigins.includes(url.origin)) return true;
  const own = host === undefined ? undefined : parseHost(host);
  return own !== undefined && url.host === own.host;
}

/** The rules at the top of this file, for one request. Pure: the hook below and tests use it. */
export function judgeRequest(facts: RequestFacts, options: OriginGuardOptions): Judgement {
  const allowedOrigins = options.allowedOrigins ?? [];
  if (options.open && !hostAllowed(facts, options.allowedHosts ?? [])) {
    return {
      ok: false,
      code: 'HOST_NOT_ALLOWED',
      message: new HttpError.HostNotAllowed(shown(facts.host ?? '(none)')).message,
    };
  }
  const checked = options.open || !SAFE_METHODS.has(facts.method.toUpperCase());
  const site = facts.secFetchSite?.toLowerCase();
  if (facts.origin !== undefined) {
    const allowed = originAllowed(facts.origin, facts.host, allowedOrigins);
    if (!allowed && checked) {
      return {
        ok: false,
        code: 'CROSS_ORIGIN_REFUSED',
        message: `Cross-origin request refused: Origin ${shown(facts.origin)} is not this API's origin (set ALLOWED_ORIGINS to allow it)`,
      };
    }
    return { ok: true, fromOwnPage: allowed };
  }
  if (site === 'cross-site' && checked) {
    return {
      ok: false,
      code: 'CROSS_ORIGIN_REFUSED',
      message: 'Cross-site request refused: a page of another site sent it (Sec-Fetch-Site: cross-site)',
    };
  }
  return { ok: true, fromOwnPage: site === 'same-origin' };
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** The guard on every route (dashboard, docs and unknown routes included), ahead of authentication. */
export const originGuardPlugin = fp(
  (app: FastifyInstance, options: OriginGuardOptions) => {
    app.decorateRequest('fromOwnPage', false);
    app.addHook('onRequest', (request, _reply, done) => {
      const judgement = judgeRequest(
        {
          method: request.method,
          host: header(request, 'host'),
          origin: header(request, 'origin'),
          secFetchSite: header(request, 'sec-fetch-site'),
          localPort: request.socket.localPort,
        },
        options,
      );
      if (judgement.ok) {
        request.fromOwnPage = judgement.fromOwnPage;
        done();
        return;
      }
      request.log.warn({ code: judgement.code, method: request.method }, 'browser request refused');
      done(
        judgement.code === 'HOST_NOT_ALLOWED'
          ? new HttpError.HostNotAllowed(shown(header(request, 'host') ?? '(none)'))
          : new HttpError.CrossOriginRefused(judgement.message),
      );
    });
  },
  { name: 'vidq-origin-guard' },
);
