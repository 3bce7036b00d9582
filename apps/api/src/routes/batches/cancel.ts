import { BatchViewSchema } from '@vidqueue/core/contract';
import { BatchErrorSchema } from '../error-schema.js';
import { IdParams, type ZodApp } from './schemas.js';

/** `DELETE /v1/batches/:id`. */
export function cancelBatchRoute(app: ZodApp): void {
  app.delete(
    '/v1/batches/:id',
    {
      schema: {
        tags: ['batches'],
        summary: 'Cancel every row that has not finished',
        description:
          'Rows still queued become cancelled at once; rows being generated are stopped by the worker at their next step. Answers 202 with the batch. 409 when the batch has already finished.',
        params: IdParams,
        response: {
          202: BatchViewSchema,
          404: BatchErrorSchema,
          409: BatchErrorSchema,
          503: BatchErrorSchema,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { batch, promoted } = await app.producer.cancelBatch(id);
      request.log.info({ batchId: id, promoted }, 'batch cancel requested');
      return reply.code(202).send(batch);
    },
  );
}
