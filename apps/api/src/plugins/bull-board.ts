import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import basicAuth from '@fastify/basic-auth';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { errorHandler as boardErrorHandler } from '@bull-board/api/dist/handlers/error.js';
import { isRedisUnavailableError } from '@vidqueue/core/producer';
import { FastifyAdapter } from '@bull-board/fastify';
import { HttpError } from '../errors.js';
import { type AuthFailureLimiter, sendRefusal } from './auth-failures.js';
import { makeSecretMatcher } from './auth.js';

export const DASHBOARD_PATH = '/admin/queues';

export type BullBoardOptions = {
  user: string;
  /** DASHBOARD_PASSWORD; without it the dashboard is off and its path answers 404 saying how to enable it. */
  password: string | undefined;
  /** DASHBOARD_READ_ONLY: the board shows everything but refuses retry, promote, clean, delete (405). */
  readOnly?: boolean;
  /** Failed logins per client IP (AUTH_FAILURE_LIMIT), shared with the bearer token check and the web sign-in. */
  authFailures: AuthFailureLimiter;
};

/**
 * Bull Board at /admin/queues behind HTTP basic auth. Every route of the board (page, JSON API,
 * static assets) sits in one encapsulated scope whose onRequest hook checks the credentials, and
 * a 401 carries `WWW-Authenticate: Basic` so a browser prompts for them. A client IP over
 * AUTH_FAILURE_LIMIT gets 429 before its credentials are read; a wrong user or password counts as one
 * failure (a request without credentials, as a browser first sends, does not).
 */
export const bullBoardPlugin = fp(
  async (app: FastifyInstance, options: BullBoardOptions) => {
    const { password } = options;
    if (password === undefined || password === '') {
      await app.register(disabledDashboard);
      return;
    }
    const userMatches = makeSecretMatcher([options.user]);
    const passwordMatches = makeSecretMatcher([password]);

    await app.register(async (scope) => {
      // The board's routes skip the bearer token check: they have their own credentials.
      scope.addHook('onRoute', (route) => {
        route.config = { ...route.config, auth: 'dashboard' };
      });
      await scope.register(basicAuth, {
        authenticate: { realm: 'vidqueue dashboard' },
        validate: async (user, pass, request) => {
          // Both compared every time, each in constant time.
          const okUser = userMatches(user);
          const okPassword = passwordMatches(pass);
          if (okUser && okPassword) return;
          await options.authFailures.failed(request, 'dashboard');
          throw new HttpError.DashboardUnauthorized();
        },
      });
      scope.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
        const refusal = await options.authFailures.refusal(request);
        if (refusal) return sendRefusal(reply, refusal);
        const err = await new Promise<Error | undefined>((resolve) => {
          scope.basicAuth(request, reply, resolve);
        });
        if (!err) return;
        // basic-auth already set WWW-Authenticate; answer in our JSON shape (the board's own
        // error handler would otherwise format it).
        const e = new HttpError.DashboardUnauthorized();
        return reply
          .code(401)
          .type('application/json; charset=utf-8')
          .send({ error: { code: e.code, message: e.message } });
      });

      const serverAdapter = new FastifyAdapter();
      serverAdapter.setBasePath(DASHBOARD_PATH);
      createBullBoard({
        // Generations, and the queues of what follows each one: archive copies and webhook deliveries.
        // With QUEUE_SHARDS > 1, one entry per shard: `shard0-generations`, `shard1-generations`…
        queues: [
          ...app.queue.shards.map(
            (q, i, all) =>
              new BullMQAdapter(q, {
                readOnlyMode: options.readOnly === true,
                ...(all.length > 1 && {
                  prefix: `shard${i}-`,
                  displayName: `generations, shard ${i} of ${all.length} (${q.opts.prefix ?? ''})`,
                }),
              }),
          ),
          ...[app.archive.queue, app.webhooks.queue].map(
            (q) => new BullMQAdapter(q, { readOnlyMode: options.readOnly === true }),
          ),
        ],
        serverAdapter,
        options: { uiConfig: { boardTitle: 'vidqueue' } },
      });
      // The board's own answers to its own errors keep its shape (`error.key`, which its page translates),
      // but a Redis that does not answer is a 503 REDIS_UNAVAILABLE like everywhere else, and no other
      // server error sends its raw message (a Redis client's words) to the browser: it is logged instead.
      serverAdapter.setErrorHandler((error: Error & { statusCode?: number }) => {
        const status = error.statusCode ?? 500;
        if (status < 500 && !isRedisUnavailableError(error)) return boardErrorHandler(error as never);
        const unavailable = isRedisUnavailableError(error);
        const code = unavailable ? 'REDIS_UNAVAILABLE' : 'INTERNAL_ERROR';
        const message = unavailable
          ? 'The queue store (Redis) is unreachable; try again shortly'
          : 'Something went wrong on our side';
        app.log[unavailable ? 'warn' : 'error']({ err: error, code }, 'dashboard request failed');
        return {
          // The board's status type lists no 503; its Fastify adapter sends whatever status is given.
          status: (unavailable ? 503 : 500) as 500,
          body: { error: { key: 'ERRORS.INTERNAL_SERVER_ERROR', code, message }, message },
        };
      });
      await scope.register(serverAdapter.registerPlugin(), { prefix: DASHBOARD_PATH });
    });
  },
  { name: 'vidq-bull-board', dependencies: ['vidq-producer', 'vidq-side-effects'] },
);

function disabledDashboard(scope: FastifyInstance, _options: unknown, done: () => void): void {
  const handler = () => {
    throw new HttpError.DashboardDisabled();
  };
  const route = { config: { auth: 'public' as const }, schema: { hide: true } };
  scope.get(DASHBOARD_PATH, route, handler);
  scope.get(`${DASHBOARD_PATH}/*`, route, handler);
  done();
}
