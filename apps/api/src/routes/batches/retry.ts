import { BatchErrorSchema } from '../error-schema.js';
import { IdParams, RetriedSchema, RetryBody, type ZodApp } from './schemas.js';

/** `POST /v1/batches/:id/retry`. */
export function retryBatchRoute(app: ZodApp): void {
  app.post(
    '/v1/batches/:id/retry',
    {
      schema: {
        tags: ['batches'],
        summary: 'Queue the failed rows again (including submission_unknown ones, on purpose)',
        description:
          'Each failed row gets a new job `<batchId>-<row>-r<n>`; its count moves from failed to queued. A row whose earlier create call had an unknown outcome is flagged `possible_duplicate`: the provider may already have made (and charged) it once. Answers 202 with how many rows were queued.',
        params: IdParams,
        body: RetryBody,
        response: { 202: RetriedSchema, 400: BatchErrorSchema, 404: BatchErrorSchema, 503: BatchErrorSchema },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { retried } = await app.producer.retryBatch(id, request.body?.only ?? 'failed');
      request.log.info({ batchId: id, retried }, 'batch rows retried');
      return reply.code(202).send({ retried });
    },
  );
}
