import { BatchListSchema } from '@vidqueue/core/contract';
import { BatchErrorSchema } from '../error-schema.js';
import { ListQuery, type ZodApp } from './schemas.js';

/** `GET /v1/batches`: the most recent batches first, from the index kept beside the batch records. */
export function listBatchesRoute(app: ZodApp): void {
  app.get(
    '/v1/batches',
    {
      schema: {
        tags: ['batches'],
        summary: 'Recent batches, newest first, with their counts and cost',
        description:
          'A page of `limit` batches (default 20, at most 200); pass `next_cursor` as `cursor` for the next one. A batch is listed while its record lives (BATCH_TTL_SECONDS after its last change).',
        querystring: ListQuery,
        response: { 200: BatchListSchema, 400: BatchErrorSchema, 503: BatchErrorSchema },
      },
    },
    (request) => app.producer.listBatches(request.query),
  );
}
