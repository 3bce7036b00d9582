import { z } from 'zod';
import {
  BatchEstimateSchema,
  CreatedBatchSchema,
  WEBHOOK_EVENT_TYPES,
  WebhookTargetSchema,
  type WebhookTarget,
} from '@vidqueue/core/contract';
import type { Config } from '@vidqueue/core/runtime';
import { makeSpoolDir, producerError, spoolUpload } from '@vidqueue/core/producer';
import { BatchErrorSchema } from '../error-schema.js';
import { CreateHeaders, CreateQuery, type ZodApp } from './schemas.js';
import { BODY_FORMATS, MULTIPART_OVERHEAD, openUpload } from './upload.js';
import { HttpError } from '../../errors.js';

/** The batch's webhook target from the query or the multipart fields (the query wins); 400 when invalid. */
function webhookTarget(
  query: { webhook_url?: string | undefined; webhook_events?: string | undefined },
  fields: Record<string, string>,
): WebhookTarget | undefined {
  const url = query.webhook_url ?? fields.webhook_url;
  const events = query.webhook_events ?? fields.webhook_events;
  if (url === undefined) {
    if (events !== undefined) throw new HttpError.BadRequest('webhook_events needs webhook_url');
    return undefined;
  }
  const parsed = WebhookTargetSchema.safeParse({
    url,
    ...(events === undefined ? {} : { events: events.split(',').map((e) => e.trim()) }),
  });
  if (!parsed.success) {
    throw new HttpError.BadRequest(
      `webhook_url must be an http(s) URL and webhook_events a comma-separated list of ${WEBHOOK_EVENT_TYPES.join(', ')}`,
    );
  }
  return parsed.data;
}

/**
 * `POST /v1/batches`: spools the upload to a private temp file (413 as soon as it is over the limit,
 * answered on the same connection with `Connection: close`), then the producer's ingest reads it twice.
 */
export function createBatchRoute(app: ZodApp, config: Config): void {
  const maxBytes = config.MAX_UPLOAD_BYTES;
  app.post(
    '/v1/batches',
    {
      bodyLimit: maxBytes + MULTIPART_OVERHEAD,
      schema: {
        tags: ['batches'],
        summary: 'Upload a CSV or JSONL file of prompts: one job per row',
        description:
          'Body: `text/csv`, `application/x-ndjson` (or `application/jsonl`), or `multipart/form-data` with the file in a field named `file` (format from its extension or type). ' +
          'The whole file is checked before anything is enqueued: a bad row rejects it with 422 listing the first 100 row errors (line, row, column, message) and `error_count`, unless `on_invalid=skip`. ' +
          'Over MAX_UPLOAD_BYTES or MAX_BATCH_ROWS: 413. With an Idempotency-Key seen before for the same file, answers 200 with the same batch (and finishes enqueueing it if an earlier attempt broke midway); a different file with that key gets 409. ' +
          'Every row is priced by the provider catalogue: the answer has `estimated_cost_usd` (its priced rows) and `unpriced_rows` (never counted as 0). With `dry_run=true` it answers 200 with the estimate by model and enqueues nothing. ' +
          'When the API has a provider key and the estimate is more than the account balance: 402 INSUFFICIENT_BALANCE with both figures, unless `ignore_balance=true`. ' +
          'With `max_cost_usd`, rows that would pass the cap wait (status paused) until PATCH raises it; unpriced rows under a cap (or under SPEND_LIMIT_USD_PER_DAY) are refused with 422 UNPRICED_UNDER_CAP.',
        querystring: CreateQuery,
        // Documents the upload in OpenAPI; the bytes are streamed by the handler, never parsed here.
        consumes: [...Object.keys(BODY_FORMATS), 'multipart/form-data'],
        body: z.any().describe('The CSV or JSONL file as the body, or in a multipart field named "file"'),
        headers: CreateHeaders,
        response: {
          200: z.union([CreatedBatchSchema, BatchEstimateSchema]),
          202: CreatedBatchSchema,
          400: BatchErrorSchema,
          402: BatchErrorSchema,
          409: BatchErrorSchema,
          413: BatchErrorSchema,
          415: BatchErrorSchema,
          422: BatchErrorSchema,
          503: BatchErrorSchema,
        },
      },
    },
    async (request, reply) => {
      const { on_invalid, model, dry_run, max_cost_usd, ignore_balance } = request.query;
      const declared = Number(request.headers['content-length']);
      if (
        Number.isFinite(declared) &&
        declared > maxBytes + (request.isMultipart() ? MULTIPART_OVERHEAD : 0)
      ) {
        reply.header('connection', 'close');
        throw producerError.fileTooLarge(maxBytes);
      }
      const spool = await makeSpoolDir();
      let ingested: Awaited<ReturnType<typeof app.producer.ingestBatch>>;
      let format: string;
      try {
        const upload = await openUpload(request, maxBytes);
        const webhook = webhookTarget(request.query, upload.fields);
        if (webhook && !app.webhooks.enabled) throw new HttpError.WebhooksDisabled();
        format = upload.format;
        const spooled = await spoolUpload(upload.source, spool.file, maxBytes);
        if (spooled.tooLarge) {
          reply.header('connection', 'close');
          throw producerError.fileTooLarge(maxBytes);
        }
        const source = { path: spooled.path, sha256: spooled.sha256 };
        if (dry_run) {
          const estimate = await app.producer.estimateBatch(source, {
            format: upload.format,
            model,
            onInvalid: on_invalid,
          });
          const { total, estimated_cost_usd, unpriced_rows } = estimate;
          request.log.info({ total, estimated_cost_usd, unpriced_rows, format }, 'batch dry run');
          return await reply.code(200).send(estimate);
        }
        ingested = await app.producer.ingestBatch(source, {
          format: upload.format,
          model,
          onInvalid: on_invalid,
          idempotencyKey: request.headers['idempotency-key'],
          maxCostUsd: max_cost_usd,
          ignoreBalance: ignore_balance,
          webhook,
        });
      } finally {
        // Before answering: a client that has its answer finds no temp file left.
        await spool.remove();
      }
      const { replayed, batch } = ingested;
      reply.header('location', `/v1/batches/${batch.id}`);
      if (replayed) {
        request.log.info({ batchId: batch.id }, 'idempotent batch repeat: nothing enqueued');
        return reply.code(200).header('idempotent-replayed', 'true').send(batch);
      }
      const { id: batchId, total, skipped, estimated_cost_usd, unpriced_rows } = batch;
      request.log.info(
        { batchId, total, skipped, format, estimated_cost_usd, unpriced_rows, max_cost_usd },
        'batch queued',
      );
      return reply.code(202).send(batch);
    },
  );
}
