import type { FastifyPluginCallbackZod } from '@fastify/type-provider-zod';
import { z } from 'zod';

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
      const result = await app.producer.resume({
        onPromoteError: (err, jobId) => request.log.debug({ err, jobId }, 'resume: could not promote'),
      });
      request.log.info(
        { resumed: result.resumed, promoted: result.promoted },
        'provider submissions resumed by an operator',
      );
      return result;
    },
  );
  done();
};
