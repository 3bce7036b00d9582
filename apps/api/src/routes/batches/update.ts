import { BatchViewSchema } from '@vidqueue/core/contract';
import { BatchErrorSchema } from '../error-schema.js';
import { IdParams, PatchBody, type ZodApp } from './schemas.js';

/** `PATCH /v1/batches/:id`: the spending cap, raised (or lowered, or removed); paused rows run again. */
export function updateBatchRoute(app: ZodApp): void {
  app.patch(
    '/v1/batches/:id',
    {
      schema: {
        tags: ['batches'],
        summary: "Change the batch's spending cap; its paused rows are resumed at once",
        description:
          'Body `{ "max_cost_usd": number | null }`. Each paused row reserves its estimate again under the new cap: the rows it allows are submitted, the others stay paused. 409 when the batch has finished; 422 UNPRICED_UNDER_CAP for a cap on a batch with unpriced rows.',
        params: IdParams,
        body: PatchBody,
        response: {
          200: BatchViewSchema,
          400: BatchErrorSchema,
          404: BatchErrorSchema,
          409: BatchErrorSchema,
          422: BatchErrorSchema,
          503: BatchErrorSchema,
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { batch, resumed } = await app.producer.updateBatch(id, {
        maxCostUsd: request.body.max_cost_usd,
      });
      request.log.info({ batchId: id, maxCostUsd: request.body.max_cost_usd, resumed }, 'batch cap changed');
      return batch;
    },
  );
}
