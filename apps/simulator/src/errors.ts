import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The provider's error answers. Seen shapes (reference: aimlapi-video-api.md):
 * - plain: `{ message, path, requestId, statusCode, timestamp }`, statusCode sometimes a string;
 * - problem: `application/problem+json` `{ title, status, message, error: { name, message } }`.
 */
export type ErrorShape = 'plain' | 'plain-string-status' | 'problem';

export type ProviderError = {
  status: number;
  message: string;
  /** Error class name for the problem+json `error.name`. */
  name?: string;
  /** Extra body fields (validation issues). */
  extra?: Record<string, unknown>;
  headers?: Record<string, string>;
};

export function providerErrorBody(
  path: string,
  error: ProviderError,
  shape: ErrorShape,
): Record<string, unknown> {
  const requestId = randomUUID();
  if (shape === 'problem') {
    return {
      type: 'about:blank',
      title: STATUS_CODES[error.status] ?? 'Error',
      status: error.status,
      message: error.message,
      error: { name: error.name ?? 'Error', message: error.message },
      requestId,
      ...error.extra,
    };
  }
  return {
    message: error.message,
    path,
    requestId,
    statusCode: shape === 'plain-string-status' ? String(error.status) : error.status,
    timestamp: new Date().toISOString(),
    ...error.extra,
  };
}

/** Answers an error the way the provider does. */
export function sendProviderError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: ProviderError,
  shape: ErrorShape = 'plain',
): FastifyReply {
  const path = request.url.split('?')[0] ?? request.url;
  reply.code(error.status);
  if (error.headers) reply.headers(error.headers);
  if (shape === 'problem') reply.type('application/problem+json; charset=utf-8');
  return reply.send(providerErrorBody(path, error, shape));
}
