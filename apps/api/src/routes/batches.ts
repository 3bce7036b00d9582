import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import multipart from '@fastify/multipart';
import { stringify } from 'csv-stringify';
import { z } from 'zod';
import { validateGenerationParams } from '@vidqueue/aimlapi';
import { BULK_FATAL_STATUS, type BulkOptions } from '@vidqueue/bulk';
import {
  WEBHOOK_EVENT_TYPES,
  WebhookTargetSchema,
  type WebhookTarget,
  BATCH_RESULT_COLUMNS,
  batchResultCell,
  IdempotencyKeySchema,
  newBatchId,
  toBatchResultRow,
  toBatchView,
  toCreatedBatchView,
  type BatchFormat,
} from '@vidqueue/core/contract';
import { createBatchStore, type BatchStore } from '@vidqueue/core/store';
import type { Config } from '@vidqueue/core/runtime';
import { createBatchOps } from '@vidqueue/core/producer';
import { ApiError } from '../errors.js';
import { enqueueJobs, validateAndStage } from '../batch-ingest.js';
import { BODY_FORMATS, makeSpoolDir, partFormat, spoolUpload } from '../batch-upload.js';
import { BatchCreatedSchema, BatchViewSchema, type BatchCreatedBody } from '../batch-view.js';
import { isRedisUnavailableError } from '../plugins/queues.js';
import { purgeBatch } from '../batch-purge.js';

/** Rows per `addBulk` call and per read of the batch record. */
export const BATCH_CHUNK_ROWS = 1000;
/** How long staged rows of an upload survive a crash between validation and enqueueing. */
const STAGING_TTL_SECONDS = 3600;
/** Row errors listed in a 422 (the rest are counted in `error_count`). */
const MAX_LISTED_ERRORS = 100;
/** Most metadata columns in a CSV export (JSONL keeps every key). */
const MAX_EXPORT_COLUMNS = 200;
/** Room for the multipart envelope on top of MAX_UPLOAD_BYTES when checking Content-Length. */
const MULTIPART_OVERHEAD = 64 * 1024;

const ErrorSchema = z
  .object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) })
  .meta({ id: 'BatchError' });

const IdParams = z.object({ id: z.string().min(1).max(200).describe('The batch id (bat_…)') });

const CreateQuery = z.object({
  on_invalid: z
    .enum(['reject', 'skip'])
    .default('reject')
    .describe(
      'reject (default): any bad row rejects the file; skip: enqueue the valid rows, report the others',
    ),
  model: z.string().min(1).optional().describe('Model for rows that name none (default DEFAULT_MODEL)'),
  webhook_url: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .optional()
    .describe('Where to send this batch’s signed events (also a multipart field before the file)'),
  webhook_events: z
    .string()
    .optional()
    .describe(
      `Comma-separated: only these events to webhook_url (${WEBHOOK_EVENT_TYPES.join(', ')}); default all`,
    ),
});

const DeleteQuery = z.object({
  purge: z
    .stringbool()
    .default(false)
    .describe(
      'true: remove a finished batch for good (its records, jobs and archived files) instead of cancelling',
    ),
});
const PurgedSchema = z
  .object({
    id: z.string(),
    purged: z.literal(true),
    jobs_removed: z.number().int(),
    files_removed: z.number().int(),
  })
  .meta({ id: 'BatchPurged' });

const CreateHeaders = z.looseObject({
  'idempotency-key': IdempotencyKeySchema.optional().describe(
    'Send the same file again with the same key to get the same batch; if enqueueing broke midway, this resumes it',
  ),
});

const ResultsQuery = z.object({ format: z.enum(['jsonl', 'csv']).default('jsonl') });
const RetryBody = z
  .strictObject({ only: z.literal('failed').default('failed').describe('Which rows: only failed ones') })
  .nullish();
const RetriedSchema = z.object({ retried: z.number().int() }).meta({ id: 'BatchRetried' });

type Detailed = Error & { details?: unknown };
function withDetails<E extends Error>(err: E, details: unknown): E {
  (err as Detailed).details = details;
  return err;
}

/** A Redis call without withRedis's short timeout (a chunk of 1000 jobs may take longer), still 503 when down. */
async function redisOp<T>(app: FastifyInstance, op: () => Promise<T>): Promise<T> {
  if (app.redis.status !== 'ready') throw new ApiError.RedisUnavailable();
  try {
    return await op();
  } catch (err) {
    if (isRedisUnavailableError(err)) throw new ApiError.RedisUnavailable();
    throw err;
  }
}

type Upload = {
  source: NodeJS.ReadableStream;
  format: BatchFormat;
  multipart: boolean;
  /** Multipart fields sent before the file (webhook_url, webhook_events). */
  fields: Record<string, string>;
};

/** The batch's webhook target from the query or the multipart fields (the query wins); 400 when invalid. */
function webhookTarget(
  query: { webhook_url?: string | undefined; webhook_events?: string | undefined },
  fields: Record<string, string>,
): WebhookTarget | undefined {
  const url = query.webhook_url ?? fields.webhook_url;
  const events = query.webhook_events ?? fields.webhook_events;
  if (url === undefined) {
    if (events !== undefined) throw new ApiError.BadRequest('webhook_events needs webhook_url');
    return undefined;
  }
  const parsed = WebhookTargetSchema.safeParse({
    url,
    ...(events === undefined ? {} : { events: events.split(',').map((e) => e.trim()) }),
  });
  if (!parsed.success) {
    throw new ApiError.BadRequest(
      `webhook_url must be an http(s) URL and webhook_events a comma-separated list of ${WEBHOOK_EVENT_TYPES.join(', ')}`,
    );
  }
  return parsed.data;
}

async function openUpload(request: FastifyRequest, maxBytes: number): Promise<Upload> {
  if (request.isMultipart()) {
    const part = await request.file({ limits: { fileSize: maxBytes + 1, files: 1 } });
    if (!part || part.fieldname !== 'file') {
      part?.file.resume();
      throw new ApiError.BadRequest('The multipart body needs a file field named "file"');
    }
    const format = partFormat(part.filename, part.mimetype);
    if (format === undefined) {
      part.file.resume();
      throw new ApiError.BatchMediaType();
    }
    const fields: Record<string, string> = {};
    for (const [name, field] of Object.entries(part.fields)) {
      const value = Array.isArray(field) ? field[0] : field;
      if (value && value.type === 'field' && typeof value.value === 'string') fields[name] = value.value;
    }
    return { source: part.file, format, multipart: true, fields };
  }
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const format = BODY_FORMATS[type];
  if (format === undefined) throw new ApiError.BatchMediaType();
  return { source: request.body as NodeJS.ReadableStream, format, multipart: false, fields: {} };
}

export const batchRoutes: FastifyPluginAsyncZod<{ config: Config }> = async (app, { config }) => {
  const ops = createBatchOps({
    redis: app.redis,
    queue: app.queue,
    keys: app.keys,
    prefix: config.QUEUE_PREFIX,
    ttlSeconds: config.BATCH_TTL_SECONDS,
    guard: (op) => redisOp(app, op),
    chunkRows: BATCH_CHUNK_ROWS,
  });
  const { store } = ops;
  /** Requests of uploads being validated; adopted by their batch, or dropped (and expiring anyway). */
  const staging = createBatchStore(app.redis, config.QUEUE_PREFIX, STAGING_TTL_SECONDS);
  const maxBytes = config.MAX_UPLOAD_BYTES;

  // The file is streamed by the handler, never buffered by a parser.
  app.addContentTypeParser(Object.keys(BODY_FORMATS), (_request, payload, done) => done(null, payload));
  await app.register(multipart, { limits: { fileSize: maxBytes + 1, files: 1, fields: 10, parts: 20 } });

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
          'Over MAX_UPLOAD_BYTES or MAX_BATCH_ROWS: 413. With an Idempotency-Key seen before for the same file, answers 200 with the same batch (and finishes enqueueing it if an earlier attempt broke midway); a different file with that key gets 409.',
        querystring: CreateQuery,
        // Documents the upload in OpenAPI; the bytes are streamed by the handler, never parsed here.
        consumes: [...Object.keys(BODY_FORMATS), 'multipart/form-data'],
        body: z.any().describe('The CSV or JSONL file as the body, or in a multipart field named "file"'),
        headers: CreateHeaders,
        response: {
          200: BatchCreatedSchema,
          202: BatchCreatedSchema,
          400: ErrorSchema,
          409: ErrorSchema,
          413: ErrorSchema,
          415: ErrorSchema,
          422: ErrorSchema,
          503: ErrorSchema,
        },
      },
    },
    async (request, reply) => {
      const { on_invalid, model } = request.query;
      const idempotencyKey = request.headers['idempotency-key'];
      const declared = Number(request.headers['content-length']);
      const multipartBody = request.isMultipart();
      if (Number.isFinite(declared) && declared > maxBytes + (multipartBody ? MULTIPART_OVERHEAD : 0)) {
        reply.header('connection', 'close');
        throw new ApiError.FileTooLarge(`The file is larger than the limit of ${maxBytes} bytes`);
      }

      const spool = await makeSpoolDir();
      const stagingId = `stage_${randomUUID()}`;
      let staged = true;
      try {
        const upload = await openUpload(request, maxBytes);
        const target = webhookTarget(request.query, upload.fields);
        if (target && !app.webhooks.enabled) throw new ApiError.WebhooksDisabled();
        const spooled = await spoolUpload(upload.source, spool.file, maxBytes);
        if (spooled.tooLarge) {
          reply.header('connection', 'close');
          throw new ApiError.FileTooLarge(`The file is larger than the limit of ${maxBytes} bytes`);
        }

        const idemKey = idempotencyKey === undefined ? undefined : app.keys.batchIdempotency(idempotencyKey);
        if (idemKey !== undefined) {
          const replay = await findReplay(app, store, idemKey, spooled.sha256);
          if (replay) {
            request.log.info({ batchId: replay.id }, 'idempotent batch repeat: nothing enqueued');
            return reply
              .code(200)
              .header('location', `/v1/batches/${replay.id}`)
              .header('idempotent-replayed', 'true')
              .send(replay);
          }
        }

        const options: BulkOptions = {
          format: upload.format,
          defaultModel: model ?? config.DEFAULT_MODEL,
          validateParams: validateGenerationParams,
          limits: { maxBytes, maxRows: config.MAX_BATCH_ROWS, maxPromptLength: config.MAX_PROMPT_LENGTH },
        };
        // Pass one validates and, meanwhile, stores the valid rows' requests under a staging id.
        const checked = await validateAndStage(
          spooled.path,
          options,
          (rows) => redisOp(app, () => staging.addRows(stagingId, rows)),
          { rejectInvalid: on_invalid === 'reject', maxColumns: MAX_EXPORT_COLUMNS },
        );
        if (checked.fatal) {
          const { code, message, line, column, byteOffset } = checked.fatal;
          const details = {
            reason: code,
            line,
            ...(column ? { column } : {}),
            ...(byteOffset === undefined ? {} : { byte_offset: byteOffset }),
          };
          if (BULK_FATAL_STATUS[code] === 413) {
            const E = code === 'too_many_rows' ? ApiError.TooManyRows : ApiError.FileTooLarge;
            throw withDetails(new E(message), details);
          }
          throw withDetails(new ApiError.InvalidFile(message), details);
        }
        const errors = checked.errors.slice(0, MAX_LISTED_ERRORS);
        if (checked.errorCount > 0 && (on_invalid === 'reject' || checked.valid === 0)) {
          const message =
            checked.valid === 0
              ? `No valid row: ${checked.errorCount} error(s) in ${checked.invalid} row(s); nothing was enqueued`
              : `${checked.errorCount} error(s) in ${checked.invalid} row(s); nothing was enqueued (send ?on_invalid=skip to enqueue the ${checked.valid} valid row(s))`;
          throw withDetails(new ApiError.InvalidRows(message), { errors, error_count: checked.errorCount });
        }

        // The batch id: new, or the one an earlier request with this key claimed (sha256 alongside,
        // so a different file under the same key is refused even while the first is being enqueued).
        let batchId = newBatchId();
        if (idemKey !== undefined) {
          const claim = await ops.claimIdempotencyKey(idemKey, batchId, spooled.sha256, (op) =>
            app.withRedis(op),
          );
          if (claim === 'mismatch') throw new ApiError.IdempotencyMismatch();
          batchId = claim.batchId;
        }

        await app.withRedis(() =>
          store.create({
            id: batchId,
            total: checked.valid,
            skipped: checked.invalid,
            format: upload.format,
            columns: checked.columns,
            ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
            sha256: spooled.sha256,
          }),
        );
        if (target) await app.withRedis(() => app.webhooks.targets.save(batchId, target));
        // Requests first, then the jobs (pass two): a worker always finds a row's request.
        await redisOp(app, () => store.adoptRows(stagingId, batchId));
        staged = false;
        await enqueueJobs(app.queue, batchId, spooled.path, options, (op) => redisOp(app, op));
        await redisOp(app, () => store.markEnqueued(batchId, checked.columns));
        const batch = await app.withRedis(() => store.get(batchId));
        if (!batch) throw new ApiError.BatchNotFound(batchId);
        request.log.info(
          { batchId, total: checked.valid, skipped: checked.invalid, format: upload.format },
          'batch queued',
        );
        const { created_at, ...created } = toCreatedBatchView(batch);
        const body: BatchCreatedBody = {
          ...created,
          ...(checked.invalid > 0 ? { skipped_rows: errors } : {}),
          created_at,
        };
        return reply.code(202).header('location', `/v1/batches/${batchId}`).send(body);
      } finally {
        if (staged) await staging.dropRows(stagingId).catch(() => undefined);
        await spool.remove();
      }
    },
  );

  app.get(
    '/v1/batches/:id',
    {
      schema: {
        tags: ['batches'],
        summary: 'Counts by status (they add up to total), cost so far, created and finished times',
        params: IdParams,
        response: { 200: BatchViewSchema, 404: ErrorSchema, 503: ErrorSchema },
      },
    },
    async (request) => toBatchView(await requireBatch(app, store, request.params.id)),
  );

  app.get(
    '/v1/batches/:id/results',
    {
      schema: {
        tags: ['batches'],
        summary: 'Every row in input order, streamed as JSONL (default) or CSV',
        description:
          'Each row: row, custom_id, status, video_url, error_code, error_message, generation_id, cost_usd, prompt, model, and the input’s extra columns (JSONL: a `metadata` object; CSV: the original columns, appended in input order).',
        params: IdParams,
        querystring: ResultsQuery,
        response: {
          200: z.string().describe('JSONL (application/x-ndjson) or CSV (text/csv), streamed'),
          404: ErrorSchema,
          503: ErrorSchema,
        },
      },
    },
    async (request, reply) => {
      const batch = await requireBatch(app, store, request.params.id);
      const { id } = request.params;
      const lastRow = batch.meta.total + batch.meta.skipped;
      async function* records() {
        for (let from = 1; from <= lastRow; from += BATCH_CHUNK_ROWS) {
          const rows = await redisOp(app, () =>
            store.rows(id, from, Math.min(BATCH_CHUNK_ROWS, lastRow - from + 1)),
          );
          const completed = rows.filter((r) => r.status === 'completed').map((r) => r.row);
          const archives = await redisOp(app, () => app.archive.store.rows(id, completed));
          for (const record of rows) {
            const archive = archives.get(record.row);
            yield toBatchResultRow(record, {
              batchId: id,
              publicBase: app.archive.publicBase(request),
              ...(archive ? { archive } : {}),
            });
          }
        }
      }
      const filename = `${id}.results.${request.query.format}`;
      reply.header('content-disposition', `attachment; filename="${filename}"`);
      if (request.query.format === 'jsonl') {
        const lines = Readable.from(
          (async function* () {
            for await (const row of records()) yield `${JSON.stringify(row)}\n`;
          })(),
        );
        // Streams skip the response serializer; the schema above only documents the body.
        return reply.type('application/x-ndjson; charset=utf-8').send(lines as unknown as string);
      }
      const columns = batch.meta.columns.slice(0, MAX_EXPORT_COLUMNS);
      const csv = Readable.from(
        (async function* () {
          for await (const row of records()) {
            yield [
              ...BATCH_RESULT_COLUMNS.map((c) => batchResultCell(row, c)),
              ...columns.map((c) =>
                row.metadata && Object.hasOwn(row.metadata, c) ? row.metadata[c] : null,
              ),
            ];
          }
        })(),
      ).pipe(
        stringify({
          header: true,
          columns: [...BATCH_RESULT_COLUMNS, ...columns],
          cast: { boolean: (v) => String(v) },
        }),
      );
      return reply.type('text/csv; charset=utf-8').send(csv as unknown as string);
    },
  );

  app.delete(
    '/v1/batches/:id',
    {
      schema: {
        tags: ['batches'],
        summary: 'Cancel every row that has not finished, or (purge=true) remove a finished batch for good',
        description:
          'Rows still queued become cancelled at once; rows being generated are stopped by the worker at their next step. Answers 202 with the batch. 409 when the batch has already finished. ' +
          'With `purge=true`: a finished batch (every row completed, failed or cancelled) is removed with its records, jobs and archived files; 200 with what was removed; 409 `BATCH_NOT_FINISHED` while rows are still queued or generating.',
        params: IdParams,
        querystring: DeleteQuery,
        response: {
          200: PurgedSchema,
          202: BatchViewSchema,
          404: ErrorSchema,
          409: ErrorSchema,
          503: ErrorSchema,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const batch = await requireBatch(app, store, id);
      if (request.query.purge) {
        if (batch.meta.finishedAt === undefined) throw new ApiError.BatchNotFinished(id);
        const purged = await redisOp(app, () => purgeBatch(app, store, batch));
        request.log.info({ batchId: id, ...purged }, 'batch purged');
        return reply
          .code(200)
          .send({ id, purged: true as const, jobs_removed: purged.jobs, files_removed: purged.files });
      }
      const cancelled = await ops.cancel(batch);
      if (cancelled === 'finished') throw new ApiError.BatchFinished(id);
      const { promoted } = cancelled;
      request.log.info({ batchId: id, promoted }, 'batch cancel requested');
      return reply.code(202).send(toBatchView(await requireBatch(app, store, id)));
    },
  );

  app.post(
    '/v1/batches/:id/retry',
    {
      schema: {
        tags: ['batches'],
        summary: 'Queue the failed rows again (including submission_unknown ones, on purpose)',
        description:
          'Each failed row gets a new job `<batchId>-<row>-r<n>`; its count moves from failed to queued. A row whose earlier create call had an unknown outcome is flagged `possible_duplicate`: the provider may already have made (and charged) it once. Answers 202 with how many rows were queued.',
        params: IdParams,
        body: RetryBody,
        response: { 202: RetriedSchema, 400: ErrorSchema, 404: ErrorSchema, 503: ErrorSchema },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      await requireBatch(app, store, id);
      const { retried } = await ops.retryFailed(id, request.body?.only ?? 'failed');
      request.log.info({ batchId: id, retried }, 'batch rows retried');
      return reply.code(202).send({ retried });
    },
  );
};

async function requireBatch(app: FastifyInstance, store: BatchStore, id: string) {
  const batch = await app.withRedis(() => store.get(id));
  if (!batch) throw new ApiError.BatchNotFound(id);
  return batch;
}

/** The batch an earlier request with this Idempotency-Key made, when it is fully enqueued. */
async function findReplay(
  app: FastifyInstance,
  store: BatchStore,
  idemKey: string,
  sha256: string,
): Promise<BatchCreatedBody | undefined> {
  const existing = await app.withRedis(() => app.redis.get(idemKey));
  if (existing === null) return undefined;
  const [id, sha] = existing.split(' ');
  if (sha !== sha256) throw new ApiError.IdempotencyMismatch();
  if (!id) return undefined;
  const batch = await app.withRedis(() => store.get(id));
  // Not created yet, or created but not fully enqueued: the caller validates and resumes.
  if (!batch?.meta.enqueuedAt) return undefined;
  return toCreatedBatchView(batch);
}
