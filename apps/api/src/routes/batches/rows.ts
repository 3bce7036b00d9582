import { BatchRowsPageSchema } from '@vidqueue/core/contract';
import { BatchErrorSchema } from '../error-schema.js';
import { HttpError } from '../../errors.js';
import { IdParams, RowsQuery, type ZodApp } from './schemas.js';
import { createGate } from './upload-guard.js';

/**
 * Filtered pages (`q`, `status`) scan the batch's rows in Redis a thousand at a time, up to the whole
 * batch for a text that matches little: at most this many such scans run at once per API process (503
 * `TOO_MANY_SEARCHES` with Retry-After beyond it), and a scan whose client has gone stops at its next span.
 */
export const MAX_ROW_SCANS = 4;
const SCANS_RETRY_AFTER_SECONDS = 2;

/** `GET /v1/batches/:id/rows`: one page of rows, by status and text, for a grid of any size. */
export function batchRowsRoute(app: ZodApp): void {
  const scans = createGate(MAX_ROW_SCANS);
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
          503: BatchErrorSchema.describe(
            `REDIS_UNAVAILABLE, or TOO_MANY_SEARCHES when ${MAX_ROW_SCANS} filtered pages are being read (Retry-After)`,
          ),
        },
      },
    },
    async (request, reply) => {
      const filtered = request.query.q !== undefined || request.query.status !== undefined;
      const release = filtered ? scans.enter() : () => undefined;
      if (!release) {
        reply.header('retry-after', String(SCANS_RETRY_AFTER_SECONDS));
        throw new HttpError.TooManySearches(scans.active);
      }
      // The client gone (its socket closed before the answer): the scan stops at its next span.
      const gone = new AbortController();
      const onClose = () => {
        if (!reply.sent) gone.abort(new Error('the client closed the request'));
      };
      request.raw.socket.once('close', onClose);
      try {
        return await app.producer.listBatchRows(request.params.id, {
          ...request.query,
          publicBase: app.archive.publicBase(request),
          signal: gone.signal,
        });
      } catch (err) {
        // Nobody reads this answer: said as the client's act in the log, never a 500.
        if (gone.signal.aborted)
          throw new HttpError.BadRequest('The client closed the request before its answer');
        throw err;
      } finally {
        request.raw.socket.off('close', onClose);
        release();
      }
    },
  );
}
