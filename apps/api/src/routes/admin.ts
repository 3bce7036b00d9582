import type { FastifyPluginCallbackZod } from '@fastify/type-provider-zod';
import { z } from 'zod';

const PAGE = 500;

const ResumeSchema = z.object({
  resumed: z.boolean().describe('True when submissions were paused and now are not'),
  previous_pause: z
    .object({
      reason: z.string(),
      status: z.number().int().nullable(),
      since: z.iso.datetime(),
    })
    .nullable()
    .describe('The pause that was lifted, if any'),
  promoted: z
    .number()
    .int()
    .describe('Delayed jobs not yet submitted that were moved to the front of the queue to go now'),
});

/**
 * Operator actions. `POST /v1/admin/resume` lifts the account-wide submission pause that workers set
 * after a provider 401/403 (`vidqKeys(prefix).accountPause`) and promotes the jobs waiting to be
 * submitted, so they go at once instead of when their delay ends. Bearer token like every /v1 route.
 */
export const adminRoutes: FastifyPluginCallbackZod = (app, _options, done) => {
  app.post(
    '/v1/admin/resume',
    {
      schema: {
        tags: ['admin'],
        summary:
          'Resume provider submissions after an account pause (401/403), once the key or the credits are fixed',
        response: { 200: ResumeSchema },
      },
    },
    async (request) => {
      const key = app.keys.accountPause;
      const [fields] = await app.withRedis(() =>
        Promise.all([app.redis.hgetall(key), app.redis.del(key)] as const),
      );
      const paused = Object.keys(fields).length > 0;
      const status = Number(fields.status);
      const since = Number(fields.since);
      const previous = paused
        ? {
            reason: fields.reason ?? 'account problem',
            status: Number.isInteger(status) && status > 0 ? status : null,
            since: new Date(Number.isFinite(since) && since > 0 ? since : Date.now()).toISOString(),
          }
        : null;

      // Jobs delayed by the pause (or a create back-off) still have step `pending`; jobs between
      // status checks are left alone so that resuming does not burst status calls.
      let promoted = 0;
      for (let start = 0; ; start += PAGE) {
        const jobs = await app.withRedis(() => app.queue.getDelayed(start, start + PAGE - 1));
        for (const job of jobs) {
          if ((job.data.step ?? 'pending') !== 'pending') continue;
          try {
            await app.withRedis(() => job.promote());
            promoted += 1;
            start -= 1; // it left the delayed set: the next page starts one earlier
          } catch (err) {
            // It moved on by itself meanwhile (a worker took it): nothing to do.
            request.log.debug({ err, jobId: job.id }, 'resume: could not promote');
          }
        }
        if (jobs.length < PAGE) break;
      }
      request.log.info({ resumed: paused, promoted }, 'provider submissions resumed by an operator');
      return { resumed: paused, previous_pause: previous, promoted };
    },
  );
  done();
};
