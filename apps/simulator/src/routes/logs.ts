import type { FastifyInstance } from 'fastify';
import { authenticate, bearerKey, keyIdOf } from '../auth.js';
import { sendProviderError } from '../errors.js';
import { rateLimitError } from '../faults.js';
import { parseLogsQuery } from '../logs-query.js';
import type { SimulatorState } from '../state.js';

/**
 * `GET /v2/logs`: the caller's usage-log rows, newest first. Order: key (401) → 200 requests per 60 s
 * per key (429 with Retry-After) → `key_prefix` of another key (403: that needs a management key) →
 * query (400 "Query validation error!") → the page. Rows appear per `logsRowAt` and `logsDelayMs`.
 */
export function logRoutes(app: FastifyInstance, opts: { state: SimulatorState }): void {
  const { state } = opts;
  app.addHook('onRequest', authenticate(state));

  app.get('/v2/logs', (request, reply) => {
    const keyId = keyIdOf(request);
    const allowed = state.logsLimiter.take(keyId);
    if (!allowed.ok) {
      return sendProviderError(request, reply, rateLimitError(Math.ceil(allowed.retryAfterMs / 1000)));
    }
    const query = request.query as Record<string, unknown>;
    const prefix = query.key_prefix;
    if (
      prefix !== undefined &&
      !(typeof prefix === 'string' && bearerKey(request.headers.authorization)?.startsWith(prefix))
    ) {
      return sendProviderError(request, reply, {
        status: 403,
        name: 'ForbiddenError',
        message: 'Listing the requests of another key requires a management key',
      });
    }
    const parsed = parseLogsQuery(query, Date.now());
    if (!parsed.ok) {
      return sendProviderError(request, reply, {
        status: 400,
        name: 'QueryValidationError',
        message: 'Query validation error!',
        extra: { errors: parsed.issues },
      });
    }
    const { logsRowAt, logsDelayMs } = state.current;
    return reply.send(
      state.logs.query({ ...parsed.query, keyId }, { rowAt: logsRowAt, delayMs: logsDelayMs }),
    );
  });
}
