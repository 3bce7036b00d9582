import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import fastifyStatic from '@fastify/static';
import { z } from 'zod';
import type { ZodTypeProvider } from '@fastify/type-provider-zod';
import { HttpError } from '../errors.js';
import { refuse, type AuthFailureLimiter } from '../plugins/auth-failures.js';
import { makeSecretMatcher } from '../plugins/auth.js';
import { sessionCookie } from './cookie.js';
import { SESSION_TTL_SECONDS, sha256Hex } from './session-store.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** One of the page's HTML pages (answered with an HTML page when Redis is down). */
    page?: boolean;
  }
}

/**
 * The folder of the page's files: `public/` beside this module when run from source, `public/` beside
 * `dist/main.mjs` in the production bundle (scripts/build.mjs copies it there).
 */
export function publicDir(): string {
  const dir = fileURLToPath(new URL('./public/', import.meta.url));
  if (!existsSync(dir)) throw new Error(`The web page's files are missing: no folder ${dir}`);
  return dir;
}

/** The page's pages: path → file. The batch page reads its id from the address. */
const PAGES: Readonly<Record<string, string>> = {
  '/': 'index.html',
  '/batches': 'batches.html',
  '/batches/:id': 'batch.html',
  '/sign-in': 'sign-in.html',
};

/**
 * What a page may load: only our own scripts and styles (no inline script, so a prompt that slipped into
 * the HTML could not run), videos from anywhere (the provider's CDN, or our own archive), requests to
 * this origin only, and no framing.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "media-src 'self' https: http:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

function pageHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store');
}

const SignInBody = z.strictObject({ token: z.string().min(1).max(4096) });

const SessionView = z.object({
  mode: z.enum(['open', 'signed-in', 'signed-out']),
  csrf: z.string().nullable().describe('Send it as x-vidq-csrf with every state-changing request'),
});

/**
 * The web page, served by the API itself: its files under /assets/ (`@fastify/static`), its pages
 * (`/`, `/batches`, `/batches/:id`, `/sign-in`), and the session routes (`/web/session`: read, sign in
 * with an API token, sign out). Everything the page shows comes from the /v1 API, with the session
 * cookie (when API_TOKENS is set) in place of a bearer token. A sign-in with a wrong token counts against
 * the client IP's AUTH_FAILURE_LIMIT (shared with the bearer token and the dashboard): past it, 429.
 */
export const webPlugin = fp(
  async (
    root: FastifyInstance,
    options: {
      tokens: readonly string[];
      authFailures: AuthFailureLimiter;
      /** PUBLIC_URL: an https one marks the cookie Secure whatever this hop was (TLS ends at a proxy). */
      publicUrl?: string | undefined;
    },
  ) => {
    const tokens = options.tokens.filter((t) => t.length > 0);
    const httpsDeployment = options.publicUrl?.startsWith('https:') === true;
    const secure = (request: { protocol: string }) => httpsDeployment || request.protocol === 'https';
    const open = tokens.length === 0;
    const matches = makeSecretMatcher(tokens);

    await root.register(async (scope) => {
      // The files hold no data: anyone may load them (the data comes through the authenticated API).
      scope.addHook('onRoute', (route) => {
        route.config = { ...route.config, auth: 'public', web: true };
        route.schema = { ...route.schema, hide: true };
      });
      await scope.register(fastifyStatic, {
        root: publicDir(),
        prefix: '/assets/',
        index: false,
        wildcard: true,
        // Cache-Control set below: @fastify/static's own would replace the pages' no-store.
        cacheControl: false,
        setHeaders: (res, path) => {
          res.setHeader('x-content-type-options', 'nosniff');
          res.setHeader('cache-control', 'public, max-age=0');
          // A page file reached by its own name (/assets/batch.html) gets the headers of the page routes.
          if (path.endsWith('.html')) {
            res.setHeader('content-security-policy', CSP);
            res.setHeader('referrer-policy', 'no-referrer');
            res.setHeader('cache-control', 'no-store');
          }
        },
      });
      const app = scope.withTypeProvider<ZodTypeProvider>();
      // A page whose session could not be read (Redis down): a page that says so, not a JSON body in
      // the browser's window. Everything else (the session routes, the files) goes to the root handler.
      scope.setErrorHandler((err, request, reply) => {
        const code = (err as { code?: unknown }).code;
        if (request.routeOptions.config.page !== true || code !== 'REDIS_UNAVAILABLE') throw err;
        request.log.warn({ code }, 'redis unavailable: page answered 503');
        return pageHeaders(reply).code(503).header('retry-after', '5').sendFile('unavailable.html', {
          cacheControl: false,
        });
      });

      for (const [path, file] of Object.entries(PAGES)) {
        app.get(path, { schema: { hide: true }, config: { page: true } }, (request, reply) => {
          if (!open && request.webSession === null && file !== 'sign-in.html') {
            return reply.redirect(`/sign-in?next=${encodeURIComponent(request.url)}`);
          }
          // cacheControl off: @fastify/static would replace no-store with its own `public, max-age=0`.
          return pageHeaders(reply).sendFile(file, { cacheControl: false });
        });
      }

      app.get(
        '/web/session',
        { schema: { hide: true, response: { 200: SessionView } } },
        (request, reply) => {
          reply.header('cache-control', 'no-store');
          if (open) return { mode: 'open' as const, csrf: null };
          const session = request.webSession;
          return session
            ? { mode: 'signed-in' as const, csrf: session.csrf }
            : { mode: 'signed-out' as const, csrf: null };
        },
      );

      app.post(
        '/web/session',
        { schema: { hide: true, body: SignInBody, response: { 200: SessionView } } },
        async (request, reply) => {
          if (open) return { mode: 'open' as const, csrf: null };
          // A blocked client is refused before its token is compared: a right guess would not pass either.
          const refusal = await options.authFailures.refusal(request);
          if (refusal) refuse(reply, refusal);
          if (!matches(request.body.token)) {
            await options.authFailures.failed(request, 'web sign-in');
            request.log.info('web sign-in refused');
            throw new HttpError.SignInRefused();
          }
          const { id, session } = await root.webSessions.create(sha256Hex(request.body.token));
          reply.header(
            'set-cookie',
            sessionCookie(id, { secure: secure(request), maxAgeSeconds: SESSION_TTL_SECONDS }),
          );
          reply.header('cache-control', 'no-store');
          request.log.info('web sign-in');
          return { mode: 'signed-in' as const, csrf: session.csrf };
        },
      );

      app.delete('/web/session', { schema: { hide: true } }, async (request, reply) => {
        if (request.webSession) await root.webSessions.remove(request.webSession.id);
        reply.header('set-cookie', sessionCookie('', { secure: secure(request), maxAgeSeconds: 0 }));
        return reply.code(204).send();
      });
    });
  },
  { name: 'vidq-web', dependencies: ['vidq-web-session'] },
);
