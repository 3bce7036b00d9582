import { BatchRowsPageSchema } from '@vidqueue/core/contract';
import { BatchErrorSchema } from '../error-schema.js';
import { IdParams, RowsQuery, type ZodApp } from './schemas.js';

/** `GET /v1/batches/:id/rows`: one page of rows, by status and text, for a grid of any size. */
export function batchRowsRoute(app: ZodApp): void {
  app.get(
    '/v1/batches/:id/rows',
    {
      schema: {
        tags: ['batches'],
        summary: 'One page of a batch’s rows, filtered by status and by text in the prompt or custom_id',
        description:
          'Rows in input order: `offset` matching rows skipped, then up to `limit` (default 50, at most 200). A completed row’s `video_url` is our archived copy once archived, else the provider URL. `total` counts the matching rows when known without reading them all (no `q`), `next_offset` is null on the last page. Filters are applied in Redis a thousand rows at a time; only the page’s rows are read.',
        params: IdParams,
        querystring: RowsQuery,
        response: {
          200: BatchRowsPageSchema,
          400: BatchErrorSchema,
          404: BatchErrorSchema,
          503: BatchErrorSchema,
        },
      },
    },
    (request) =>
      app.producer.listBatchRows(request.params.id, {
        ...request.query,
        publicBase: app.archive.publicBase(request),
      }),
  );
}
