import type { FastifyPluginCallbackZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import { ProducerError } from '@vidqueue/core/producer';
import { BalanceViewSchema } from '@vidqueue/core/contract';
import { balanceView } from './balance.js';

const AccountPauseSchema = z.object({
  reason: z
    .string()
    .optional()
    .describe(
      "The provider's message; only for a request with a valid bearer token (or any request when API_TOKENS is unset)",
    ),
  status: z
    .number()
    .int()
    .nullable()
    .optional()
    .describe("The provider's HTTP status (401, 403) that caused it; shown with `reason`"),
  since: z.iso.datetime(),
  resumes_at: z.iso.datetime().nullable().describe('When workers try the provider again'),
});

const HealthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  redis: z.enum(['ok', 'unavailable']),
  account_pause: AccountPauseSchema.nullable().describe(
    'Set while workers have stopped submitting because the provider refused the account (bad key, no credits)',
  ),
  balance: BalanceViewSchema.optional().describe(
    'The provider balance: only for authenticated callers (a valid bearer token when API_TOKENS is set)',
  ),
});

export const healthRoutes: FastifyPluginCallbackZod = (app, _options, done) => {
  app.get(
    '/healthz',
    {
      config: { auth: 'public' },
      // Probes arrive every few seconds: log them only when something is wrong.
      logLevel: 'warn',
      schema: {
        tags: ['health'],
        summary:
          'Liveness: 200 while the process runs; `degraded` when Redis is unreachable or submissions are paused; the provider balance for authenticated callers',
        security: [],
        response: { 200: HealthSchema },
      },
    },
    async (request) => {
      const access = await app.hasApiAccess(request);
      const balance = access ? balanceView(app) : undefined;
      let pause: z.infer<typeof AccountPauseSchema> | null = null;
      let redis: 'ok' | 'unavailable' = 'ok';
      try {
        const key = app.keys.accountPause;
        const [fields, pttl] = await app.withRedis(() =>
          Promise.all([app.redis.hgetall(key), app.redis.pttl(key)]),
        );
        if (Object.keys(fields).length > 0) {
          const status = Number(fields.status);
          const since = Number(fields.since);
          const now = Date.now();
          pause = {
            // The provider's message can name the account, its plan or balance: only for callers
            // who could read the rest of the API.
            ...(access && {
              reason: fields.reason ?? 'account problem',
              status: Number.isInteger(status) && status > 0 ? status : null,
            }),
            since: new Date(Number.isFinite(since) && since > 0 ? since : now).toISOString(),
            resumes_at: pttl > 0 ? new Date(now + pttl).toISOString() : null,
          };
        }
      } catch (err) {
        app.log.debug({ err }, 'healthz: redis check failed');
        redis = 'unavailable';
      }
      return {
        status: pause !== null || redis !== 'ok' ? ('degraded' as const) : ('ok' as const),
        redis,
        account_pause: pause,
        ...(balance && { balance: await balance }),
      };
    },
  );

  app.get(
    '/readyz',
    {
      config: { auth: 'public' },
      // Probes arrive every few seconds: log them only when something is wrong.
      logLevel: 'warn',
      schema: {
        tags: ['health'],
        summary: 'Readiness: 200 when Redis answers PING, else 503',
        security: [],
        response: { 200: z.object({ status: z.literal('ready') }) },
      },
    },
    async () => {
      const pong = await app.withRedis(() => app.redis.ping());
      if (pong !== 'PONG') throw new ProducerError('REDIS_UNAVAILABLE');
      return { status: 'ready' as const };
    },
  );
  done();
};
