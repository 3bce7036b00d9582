import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import multipart from '@fastify/multipart';
import type { Config } from '@vidqueue/core/runtime';
import { cancelBatchRoute } from './cancel.js';
import { createBatchRoute } from './create.js';
import { batchEventsRoute } from './events.js';
import { getBatchRoute } from './get.js';
import { listBatchesRoute } from './list.js';
import { batchResultsRoute } from './results.js';
import { retryBatchRoute } from './retry.js';
import { batchRowsRoute } from './rows.js';
import { updateBatchRoute } from './update.js';
import { HttpError } from '../../errors.js';
import { BODY_FORMATS } from './upload.js';
import { createGate } from './upload-guard.js';
import { batchVideosZipRoute } from './videos-zip.js';

/** The one route of this scope that takes a file. */
function isUpload(request: FastifyRequest): boolean {
  return request.method === 'POST' && request.routeOptions.url === '/v1/batches';
}

/** `/v1/batches`: one small file per action, each an adapter over the producer's batch operations. */
export const batchRoutes: FastifyPluginAsyncZod<{ config: Config }> = async (app, { config }) => {
  // The file is streamed by the handler, never buffered by a parser; only POST /v1/batches takes one
  // (retry and PATCH take JSON: a file there is 415, not its stream's internals as unknown fields).
  app.addContentTypeParser(Object.keys(BODY_FORMATS), (request, payload, done) => {
    if (isUpload(request)) done(null, payload);
    else done(new HttpError.JsonMediaType(), undefined);
  });
  const maxBytes = config.MAX_UPLOAD_BYTES;
  await app.register(multipart, { limits: { fileSize: maxBytes + 1, files: 1, fields: 10, parts: 20 } });
  app.addHook('preValidation', (request, _reply, done) => {
    done(request.isMultipart() && !isUpload(request) ? new HttpError.JsonMediaType() : undefined);
  });

  // One gate per API process: uploads in progress, whatever route instance serves them.
  createBatchRoute(app, config, createGate(config.MAX_CONCURRENT_UPLOADS));
  getBatchRoute(app);
  batchResultsRoute(app);
  cancelBatchRoute(app);
  retryBatchRoute(app);
  updateBatchRoute(app);
  listBatchesRoute(app);
  batchRowsRoute(app);
  batchEventsRoute(app, config);
  batchVideosZipRoute(app, config);
};
