import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { BatchEstimateSchema, CreatedBatchSchema } from '@vidqueue/core/contract';
import type { Config } from '@vidqueue/core/runtime';
import { makeSpoolDir, producerError, spoolUpload } from '@vidqueue/core/producer';
import { BatchErrorSchema } from '../error-schema.js';
import { CreateHeaders, CreateQuery, type ZodApp } from './schemas.js';
import { BODY_FORMATS, MULTIPART_OVERHEAD, multipartError, openUpload } from './upload.js';
import { HttpError } from '../../errors.js';
import { UPLOADS_RETRY_AFTER_SECONDS, abortable, watchUploadRate, type Gate } from './upload-guard.js';
import { webhookTarget } from './webhook-target.js';

/**
 * `POST /v1/batches`: spools the upload to a private temp file (413 as soon as it is over the limit,
 * answered on the same connection with `Connection: close`), then the producer's ingest parses it once
 * (staging the rows' requests) and adds the jobs from the staged requests.
 * At most MAX_CONCURRENT_UPLOADS at once (503 + Retry-After beyond), and an upload slower than
 * UPLOAD_MIN_BYTES_PER_SEC is cut with 408 (see upload-guard.ts); the spool is removed either way.
 */
export function createBatchRoute(app: ZodApp, config: Config, gate: Gate): void {
  const maxBytes = config.MAX_UPLOAD_BYTES;
  const rate = {
    minBytesPerSecond: config.UPLOAD_MIN_BYTES_PER_SEC,
    windowMs: config.UPLOAD_RATE_WINDOW_MS,
  };

  /** The upload, spooled to `file` while its rate is watched: 413 over the limit, 408 too slow. */
  async function receive(request: FastifyRequest, reply: FastifyReply, file: string) {
    const watch = watchUploadRate(request.raw.socket, rate);
    try {
      const upload = await abortable(openUpload(request, maxBytes), watch.signal);
      const spooled = await spoolUpload(upload.source, file, maxBytes, watch.signal);
      if (spooled.tooLarge) {
        reply.header('connection', 'close');
        throw producerError.fileTooLarge(maxBytes);
      }
      const fields = await upload.rest();
      return { ...spooled, format: upload.format, fields };
    } catch (caught) {
      const err = multipartError(request, caught);
      if (err instanceof HttpError.UploadTooSlow) {
        // The rest of the body is never read: close the connection after answering.
        reply.header('connection', 'close');
        request.log.warn({ reason: err.message }, 'upload cut: too slow');
      }
      throw err;
    } finally {
      watch.stop();
    }
  }
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
          408: BatchErrorSchema,
          409: BatchErrorSchema,
          413: BatchErrorSchema,
          415: BatchErrorSchema,
          422: BatchErrorSchema,
          503: BatchErrorSchema.describe(
            'REDIS_UNAVAILABLE, or TOO_MANY_UPLOADS (with Retry-After) when MAX_CONCURRENT_UPLOADS are in progress',
          ),
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
      const release = gate.enter();
      if (!release) {
        // The body is never read: close the connection after answering.
        reply.header('retry-after', String(UPLOADS_RETRY_AFTER_SECONDS)).header('connection', 'close');
        request.log.warn({ active: gate.active }, 'upload refused: too many in progress');
        throw new HttpError.TooManyUploads(gate.active);
      }
      let spool: Awaited<ReturnType<typeof makeSpoolDir>> | undefined;
      let ingested: Awaited<ReturnType<typeof app.producer.ingestBatch>>;
      let format: string;
      try {
        spool = await makeSpoolDir();
        const received = await receive(request, reply, spool.file);
        format = received.format;
        const webhook = webhookTarget(request.query, received.fields);
        if (webhook && !app.webhooks.enabled) throw new HttpError.WebhooksDisabled();
        const source = { path: received.path, sha256: received.sha256 };
        if (dry_run) {
          const estimate = await app.producer.estimateBatch(source, {
            format: received.format,
            model,
            onInvalid: on_invalid,
          });
          const { total, estimated_cost_usd, unpriced_rows } = estimate;
          request.log.info({ total, estimated_cost_usd, unpriced_rows, format }, 'batch dry run');
          return await reply.code(200).send(estimate);
        }
        ingested = await app.producer.ingestBatch(source, {
          format: received.format,
          model,
          onInvalid: on_invalid,
          idempotencyKey: request.headers['idempotency-key'],
          maxCostUsd: max_cost_usd,
          ignoreBalance: ignore_balance,
          webhook,
        });
      } finally {
        // Before answering: a client that has its answer finds no temp file left.
        await spool?.remove();
        release();
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
