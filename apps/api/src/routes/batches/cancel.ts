import { producerError } from '@vidqueue/core/producer';
import { BatchViewSchema } from '@vidqueue/core/contract';
import { BatchErrorSchema } from '../error-schema.js';
import { DeleteQuery, IdParams, PurgedSchema, type ZodApp } from './schemas.js';
import { purgeBatch } from '../../batch-purge.js';
import { HttpError } from '../../errors.js';

/** `DELETE /v1/batches/:id`. */
export function cancelBatchRoute(app: ZodApp): void {
  app.delete(
    '/v1/batches/:id',
    {
      schema: {
        tags: ['batches'],
        summary: 'Cancel every row that has not finished, or (purge=true) remove a finished batch for good',
        description:
          'Rows still queued become cancelled at once; rows being generated are stopped by the worker at their next step. Answers 202 with the batch. 409 when the batch has already finished. ' +
          'With `purge=true`: a finished batch (every row completed, failed or cancelled) is removed with its records, jobs and archived files; 200 with what was removed; 409 `BATCH_NOT_FINISHED` while rows are still queued, paused or generating.',
        params: IdParams,
        querystring: DeleteQuery,
        response: {
          200: PurgedSchema,
          202: BatchViewSchema,
          404: BatchErrorSchema,
          409: BatchErrorSchema,
          503: BatchErrorSchema,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      if (request.query.purge) {
        const { store } = app.producer.ctx;
        const batch = await app.withRedis(() => store.get(id));
        if (!batch) throw producerError.batchNotFound(id);
        if (batch.meta.finishedAt === undefined) throw new HttpError.BatchNotFinished(id);
        const purged = await app.producer.guard.bulk(() => purgeBatch(app, batch));
        request.log.info({ batchId: id, ...purged }, 'batch purged');
        return reply
          .code(200)
          .send({ id, purged: true as const, jobs_removed: purged.jobs, files_removed: purged.files });
      }
      const { batch, promoted } = await app.producer.cancelBatch(id);
      request.log.info({ batchId: id, promoted }, 'batch cancel requested');
      return reply.code(202).send(batch);
    },
  );
}
