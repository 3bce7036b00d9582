import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from '@fastify/type-provider-zod';
import {
  ProducerError,
  UploadAbortedError,
  producerError,
  toFieldIssues,
  withNameHints,
} from '@vidqueue/core/producer';
import { HttpError } from '../errors.js';

/** The JSON error body every route answers with. */
export type ErrorBody = { error: { code: string; message: string; details?: unknown } };

const HTTP_CODES: ReadonlySet<string> = new Set(Object.values(HttpError).map((E) => new E().code));

/** Codes for Fastify's own client errors (bad JSON, wrong content type...), whose messages are safe. */
const STATUS_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/**
 * One root error handler: every error becomes `{ error: { code, message, details? } }` with the
 * right status. Request validation (zod) answers 400 VALIDATION_ERROR with one `{ path, message }` per
 * problem; a `ProducerError` answers its catalogue status, code, message and details; 5xx answers
 * never reveal the cause (it is logged under `err` instead).
 */
export const errorHandlerPlugin = fp(
  (app: FastifyInstance) => {
    app.setErrorHandler((err: FastifyError, request, reply) => {
      if (isZodValidation(err)) {
        const issues = (err.validation ?? []).map((issue) => ({
          path: issue.instancePath.split('/').filter((p) => p.length > 0),
          code: issue.keyword,
          message: issue.message,
          keys: (issue.params as { keys?: unknown[] }).keys,
        }));
        const where = err.validationContext ?? 'body';
        const { code, message, details } = producerError.validation(
          withNameHints(toFieldIssues(issues, where), where === 'body' ? request.body : undefined),
        );
        request.log.info({ code, fields: details.map((d) => d.path) }, 'invalid request');
        return send(reply, 400, { error: { code, message, details } });
      }

      if (err instanceof ProducerError) {
        if (err.code === 'REDIS_UNAVAILABLE') request.log.warn({ code: err.code }, 'redis unavailable');
        const { code, message, details } = err;
        return send(reply, err.status, {
          error: { code, message, ...(details === undefined ? {} : { details }) },
        });
      }
      if (isConnectionGone(err, request)) {
        // The client went away (or the server's request timeout closed it) before its body was whole:
        // not a fault of ours, and nobody is left to read the answer.
        request.log.warn({ reason: err.message }, 'request cut: the connection closed before its body ended');
        const gone = new HttpError.BadRequest('The request ended before its body was complete');
        return send(reply, 400, { error: { code: gone.code, message: gone.message } });
      }
      const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
      // Our own table's errors say what to do (a 503 for too many uploads included); not INTERNAL_ERROR.
      if (HTTP_CODES.has(err.code) && err.code !== 'INTERNAL_ERROR') {
        return send(reply, status, { error: { code: err.code, message: err.message } });
      }
      if (status >= 400 && status < 500) {
        // Fastify's own client errors (invalid JSON, too large, wrong media type): safe to show.
        return send(reply, status, {
          error: { code: STATUS_CODES[status] ?? `HTTP_${status}`, message: err.message },
        });
      }
      request.log.error({ err }, 'request failed');
      const internal = new HttpError.Internal();
      return send(reply, 500, { error: { code: internal.code, message: internal.message } });
    });

    app.setNotFoundHandler((request, reply) => {
      const err = new HttpError.RouteNotFound(request.method, request.url.split('?')[0]);
      return send(reply, 404, { error: { code: err.code, message: err.message } });
    });
  },
  { name: 'vidq-error-handler' },
);

/**
 * An error of the request's own body whose connection is gone: Node's `aborted` (ECONNRESET), a spool's
 * `UploadAbortedError` (close before end), @fastify/multipart's premature close. Any other error, even
 * one met after the client left (Redis down...), is handled as usual: a real 5xx is still logged as one.
 */
function isConnectionGone(err: FastifyError, request: FastifyRequest): boolean {
  if (!request.raw.readableAborted) return false;
  return (
    err instanceof UploadAbortedError || err.code === 'ECONNRESET' || err.code === 'FST_MP_PREMATURE_CLOSE'
  );
}

/** Request validation by the zod type provider (as opposed to any other error with `validation`). */
function isZodValidation(err: unknown): boolean {
  return hasZodFastifySchemaValidationErrors(err);
}

function send(reply: FastifyReply, status: number, body: ErrorBody): FastifyReply {
  // Error bodies skip the route's response schema: they are not part of it.
  return reply.code(status).type('application/json; charset=utf-8').serializer(JSON.stringify).send(body);
}
