import Fastify, { type FastifyReply } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from '@fastify/type-provider-zod';
import { shippedCatalogue, type Catalogue } from '@vidqueue/aimlapi';
import { producerError } from '@vidqueue/core/producer';
import type { Config, Logger, RedisConnection } from '@vidqueue/core/runtime';
import type { Storage } from '@vidqueue/storage';
import { authPlugin } from './plugins/auth.js';
import { createAuthFailureLimiter } from './plugins/auth-failures.js';
import { batchEventsPlugin } from './plugins/batch-events.js';
import { bullBoardPlugin } from './plugins/bull-board.js';
import { docsPlugin } from './plugins/docs.js';
import { errorHandlerPlugin } from './plugins/error-handler.js';
import { originGuardPlugin } from './plugins/origin-guard.js';
import { producerPlugin } from './plugins/producer.js';
import { sideEffectsPlugin } from './plugins/side-effects.js';
import { tracingPlugin } from './plugins/tracing.js';
import { adminRoutes } from './routes/admin.js';
import { balanceRoutes } from './routes/balance.js';
import { batchRoutes } from './routes/batches/index.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { modelRoutes } from './routes/models.js';
import { videoContentRoutes } from './routes/video-content.js';
import { videoRoutes } from './routes/videos.js';
import { webSessionPlugin } from './web/session-plugin.js';
import { webPlugin } from './web/web-plugin.js';
import { webhookRoutes } from './routes/webhooks.js';
import { SECURITY_HEADERS } from './security-headers.js';
import { clientErrorHandler } from './client-error.js';
import { parseJsonBody } from './json-body.js';

export type AppDeps = {
  config: Config;
  logger: Logger;
  /** A producer connection to use instead of opening one from REDIS_URL (the caller closes it). */
  redis?: RedisConnection;
  /** Longest wait for one Redis operation before a route answers 503 (default 2000 ms). */
  redisTimeoutMs?: number;
  /** The models requests are checked against and GET /v1/models lists (default: the shipped catalogue). */
  catalogue?: Catalogue;
  /** Storage to serve archived videos from instead of STORAGE_URL's (the caller closes it); null for none. */
  storage?: Storage | null;
};

/** Largest accepted request body. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * The whole API as a Fastify instance that is not listening: tests call `inject()` on it,
 * `startApi()` listens. Plugin order matters: the request span (when tracing), errors, the origin guard
 * (browser requests from other sites, foreign Hosts), Redis, the web session (reads the page's cookie after
 * the guard, before auth), auth, docs (must see every route), then the dashboard, the routes and the web page.
 */
export function buildApp(deps: AppDeps) {
  const { config } = deps;
  const catalogue = deps.catalogue ?? shippedCatalogue();
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: BODY_LIMIT_BYTES,
    // A request must arrive whole within REQUEST_TIMEOUT_MS (408), and a connection idle for
    // CONNECTION_TIMEOUT_MS is closed: one trickling client cannot hold a socket forever. Node checks
    // requests every connectionsCheckingInterval (default 30 s: a quarter of the timeout here), and only
    // when its headersTimeout (default 60 s) is at most the requestTimeout, hence both given to it.
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    connectionTimeout: config.CONNECTION_TIMEOUT_MS,
    http: {
      requestTimeout: config.REQUEST_TIMEOUT_MS,
      headersTimeout: Math.min(60_000, config.REQUEST_TIMEOUT_MS),
      connectionsCheckingInterval: Math.max(250, Math.min(30_000, Math.floor(config.REQUEST_TIMEOUT_MS / 4))),
    },
    // Routes are matched exactly; `/v1/videos/` is not `/v1/videos`.
    routerOptions: { ignoreTrailingSlash: false },
    // What Node's parser refuses (bad framing, 431, the request timeout) in our error shape and headers.
    clientErrorHandler,
    // The router's own refusals (a bad %-escape, an id past maxParamLength) in our error shape, without
    // echoing the path back (Fastify's default answer quotes it whole).
    frameworkErrors: (error, _request, reply) => {
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      void (reply as unknown as FastifyReply).code(tooLong ? 414 : 400).send({
        error: {
          code: tooLong ? 'URI_TOO_LONG' : 'BAD_REQUEST',
          message: tooLong
            ? 'A path segment (an id) is longer than any id this API gives out'
            : 'The path is not a valid URL: a % escape is malformed or not UTF-8',
        },
      });
    },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // JSON only: a text/plain body would otherwise reach validation as a string and get a vague 400.
  app.removeContentTypeParser('text/plain');
  // JSON bodies whose 400 says what is wrong (json-body.ts); the route's bodyLimit still applies.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as Buffer));
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  // A query parameter given twice (`?limit=1&limit=2`) arrives as an array, which every query schema here
  // would report as "expected number, received NaN": say what happened instead (no parameter is a list).
  app.addHook('preValidation', (request, _reply, done) => {
    const repeated = Object.entries((request.query ?? {}) as Record<string, unknown>).flatMap(
      ([name, value]) =>
        Array.isArray(value)
          ? [{ path: `querystring.${name}`, message: `is given ${value.length} times; give it once` }]
          : [],
    );
    done(repeated.length > 0 ? producerError.validation(repeated) : undefined);
  });

  // Once closing (SIGTERM), an answer to a request still in flight closes its connection: Fastify closes
  // the connections idle when close() starts, not those that become idle later, so a keep-alive client
  // would otherwise hold the server open until SHUTDOWN_GRACE_MS ran out.
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  // SECURITY_HEADERS on every answer; a route's own value stands. /v1 answers are one user's data: not
  // kept by a browser or a shared cache (a page read after sign-out) unless the route says otherwise.
  app.addHook('onSend', (request, reply, _payload, done) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
      if (!reply.hasHeader(name)) reply.header(name, value);
    }
    if (!reply.hasHeader('cache-control') && request.url.startsWith('/v1/'))
      reply.header('cache-control', 'no-store');
    if (closing) reply.header('connection', 'close');
    done();
  });

  const tokens = config.API_TOKENS ?? [];
  // One count of failed credential checks per client IP for the bearer token, the dashboard and the web
  // sign-in, in this process's memory (AUTH_FAILURE_LIMIT per AUTH_FAILURE_WINDOW_MS; 0: off).
  const authFailures = createAuthFailureLimiter({
    limit: config.AUTH_FAILURE_LIMIT,
    windowMs: config.AUTH_FAILURE_WINDOW_MS,
  });
  app.register(tracingPlugin);
  app.register(errorHandlerPlugin);
  app.register(originGuardPlugin, {
    open: tokens.filter((t) => t.length > 0).length === 0,
    allowedOrigins: config.ALLOWED_ORIGINS,
    allowedHosts: config.ALLOWED_HOSTS,
  });
  app.register(producerPlugin, {
    config,
    catalogue,
    redis: deps.redis,
    redisTimeoutMs: deps.redisTimeoutMs ?? 2_000,
  });
  // The page's session cookie is read before the bearer check, which accepts what it validated.
  app.register(webSessionPlugin, { tokens });
  app.register(authPlugin, { tokens, authFailures });
  app.register(batchEventsPlugin);
  app.register(sideEffectsPlugin, {
    config,
    ...(deps.storage === undefined ? {} : { storage: deps.storage }),
  });
  app.register(docsPlugin, { tokensRequired: tokens.length > 0 });
  app.register(bullBoardPlugin, {
    user: config.DASHBOARD_USER,
    password: config.DASHBOARD_PASSWORD,
    readOnly: config.DASHBOARD_READ_ONLY,
    authFailures,
  });
  app.register(healthRoutes);
  app.register(metricsRoutes);
  app.register(modelRoutes, { catalogue, defaultModel: config.DEFAULT_MODEL });
  app.register(adminRoutes);
  app.register(balanceRoutes);
  app.register(videoRoutes, { config });
  app.register(videoContentRoutes);
  app.register(batchRoutes, { config });
  app.register(webPlugin, { tokens, authFailures, publicUrl: config.PUBLIC_URL });
  app.register(webhookRoutes);
  return app;
}

export type App = ReturnType<typeof buildApp>;
