import type { FastifyPluginCallbackZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import { producerError } from '@vidqueue/core/producer';
import { HttpError } from '../errors.js';
import { noneMatch, parseByteRange, rangeApplies } from '../byte-range.js';

/** How long a request waits for storage to stat or start reading an object before answering 503. */
export const STORAGE_WAIT_MS = 10_000;
/** Seconds a client told STORAGE_UNAVAILABLE is asked to wait (`Retry-After`). */
const STORAGE_RETRY_AFTER_SECONDS = 5;

/**
 * A storage call that fails or does not answer within STORAGE_WAIT_MS is the store's trouble, not the
 * client's: 503 `STORAGE_UNAVAILABLE` with `Retry-After`, naming only the error's kind (an S3 error's
 * message may hold the endpoint or the bucket). A call left hanging ends on its own; its answer is dropped.
 */
async function fromStorage<T>(reply: { header(name: string, value: string): unknown }, op: () => Promise<T>) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error('timeout'), { name: 'TimeoutError' })),
      STORAGE_WAIT_MS,
    );
  });
  try {
    return await Promise.race([op(), timeout]);
  } catch (err) {
    reply.header('retry-after', String(STORAGE_RETRY_AFTER_SECONDS));
    const kind = (err as { code?: unknown }).code ?? (err as { name?: unknown }).name;
    throw new HttpError.StorageUnavailable(typeof kind === 'string' ? kind : 'error');
  } finally {
    clearTimeout(timer);
  }
}

const IdParams = z.object({
  id: z.string().min(1).max(200).describe('The video id (vid_…, or <batchId>-<row>)'),
});
const ErrorSchema = z
  .object({ error: z.object({ code: z.string(), message: z.string() }) })
  .meta({ id: 'ContentError' });

/**
 * `GET /v1/videos/:id/content`: our archived copy of a video, streamed from storage behind the API's
 * auth. `ETag` is the file's SHA-256, `Accept-Ranges: bytes`; one range answers 206 with
 * `Content-Range`, a range past the end 416, several ranges or an `If-Range` that no longer matches
 * the whole file (200). No archive, or its file gone from storage: 404 with a code, never a 500.
 * HEAD has its own route (Fastify's automatic one would read the whole object from storage and drop
 * it): the same headers, and storage is only asked for the object's size.
 */
export const videoContentRoutes: FastifyPluginCallbackZod = (app, _options, done) => {
  const schema = {
    tags: ['videos'],
    summary: 'The archived MP4 of a video (supports Range requests)',
    description:
      'Streams our copy of the video (`video/mp4`, `ETag` = its SHA-256, `Accept-Ranges: bytes`). Single ranges answer 206 (`If-Range` honoured with the ETag), unsatisfiable ones 416. `If-None-Match` with the ETag (weak, in a list, or `*`) answers 304. `HEAD` answers the same headers without reading the file. 404 `VIDEO_NOT_ARCHIVED` when there is no archived copy, `ARCHIVE_FILE_MISSING` when its file is gone from storage.',
    params: IdParams,
    response: {
      200: z.any().describe('The MP4 bytes'),
      206: z.any().describe('The requested range'),
      304: z.any().describe('Not modified (If-None-Match)'),
      404: ErrorSchema,
      416: ErrorSchema,
      503: ErrorSchema,
    },
  };
  // HEAD is its own route (described under GET): Fastify's automatic one would run the GET and drop the body.
  for (const method of ['GET', 'HEAD'] as const) {
    app.route({
      method,
      url: '/v1/videos/:id/content',
      exposeHeadRoute: false,
      schema: method === 'GET' ? schema : { ...schema, hide: true },
      handler: async (request, reply) => {
        const { id } = request.params;
        const { storage, store } = app.archive;
        const record = await app.withRedis(() => store.get(id));
        if (!record) {
          const exists = (await app.withRedis(() => app.queue.getJobState(id))) !== 'unknown';
          if (!exists) throw producerError.videoNotFound(id);
          throw new HttpError.VideoNotArchived(id, 'not archived');
        }
        if (record.status !== 'archived' || record.sha256 === null) {
          throw new HttpError.VideoNotArchived(
            id,
            record.status === 'pending' ? 'archive pending' : `archive failed: ${record.reason ?? 'unknown'}`,
          );
        }
        if (!storage) throw new HttpError.ArchiveFileMissing(id);
        const stat = await fromStorage(reply, () => storage.stat(record.storage_key));
        if (!stat) throw new HttpError.ArchiveFileMissing(id);

        const etag = `"${record.sha256}"`;
        reply
          .header('content-type', 'video/mp4')
          .header('accept-ranges', 'bytes')
          .header('etag', etag)
          // Asked again each time (a 304 by the ETag is cheap): a signed-out browser does not replay it.
          .header('cache-control', 'private, no-cache');
        if (noneMatch(request.headers['if-none-match'], etag)) return reply.code(304).send();

        const ifRange = request.headers['if-range'];
        const range = rangeApplies(typeof ifRange === 'string' ? ifRange : undefined, etag)
          ? parseByteRange(request.headers.range, stat.size)
          : undefined;
        if (range === 'unsatisfiable') {
          const err = new HttpError.RangeNotSatisfiable(stat.size);
          return reply
            .code(416)
            .header('content-range', `bytes */${stat.size}`)
            .type('application/json; charset=utf-8')
            .send({ error: { code: err.code, message: err.message } });
        }
        // HEAD: the headers a GET would have, without reading the object.
        const read =
          request.method === 'HEAD'
            ? undefined
            : await fromStorage(reply, () => storage.read(record.storage_key, range));
        if (request.method !== 'HEAD' && !read) throw new HttpError.ArchiveFileMissing(id);
        if (range !== undefined) {
          reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${stat.size}`);
        }
        reply.header('content-length', range === undefined ? stat.size : range.end - range.start + 1);
        return reply.send(read?.body);
      },
    });
  }
  done();
};
