import { BatchViewSchema } from '@vidqueue/core/contract';
import { BatchErrorSchema } from '../error-schema.js';
import { IdParams, type ZodApp } from './schemas.js';

/** `GET /v1/batches/:id`. */
export function getBatchRoute(app: ZodApp): void {
  app.get(
    '/v1/batches/:id',
    {
      schema: {
        tags: ['batches'],
        summary: 'Counts by status (they add up to total), cost so far, created and finished times',
        params: IdParams,
        response: { 200: BatchViewSchema, 404: BatchErrorSchema, 503: BatchErrorSchema },
      },
    },
    (request) => app.producer.getBatch(request.params.id),
  );
}
