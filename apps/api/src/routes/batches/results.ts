import { z } from 'zod';
import { RESULTS_CONTENT_TYPE } from '@vidqueue/core/producer';
import { BatchErrorSchema } from '../error-schema.js';
import { IdParams, ResultsQuery, type ZodApp } from './schemas.js';

/** `GET /v1/batches/:id/results`: every row in input order, streamed as JSONL or CSV. */
export function batchResultsRoute(app: ZodApp): void {
  app.get(
    '/v1/batches/:id/results',
    {
      schema: {
        tags: ['batches'],
        summary: 'Every row in input order, streamed as JSONL (default) or CSV',
        description:
          'Each row: row, custom_id, status, video_url (ours once archived), provider_video_url, archive (CSV: archive_status, archive_bytes, archive_sha256, archived_at), error_code, error_message, generation_id, cost_usd, prompt, model, and the input’s extra columns (JSONL: a `metadata` object; CSV: the original columns, appended in input order).',
        params: IdParams,
        querystring: ResultsQuery,
        response: {
          200: z.string().describe('JSONL (application/x-ndjson) or CSV (text/csv), streamed'),
          404: BatchErrorSchema,
          503: BatchErrorSchema,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { format } = request.query;
      const body = await app.producer.exportBatchResults(id, format, {
        publicBase: app.archive.publicBase(request),
      });
      reply.header('content-disposition', `attachment; filename="${id}.results.${format}"`);
      // Streams skip the response serializer; the schema above only documents the body.
      return reply.type(RESULTS_CONTENT_TYPE[format]).send(body as unknown as string);
    },
  );
}
