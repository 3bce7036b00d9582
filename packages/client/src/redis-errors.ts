import { ProducerError } from '@vidqueue/core/producer';
import { ApiError, NotFoundError, UnavailableError, ValidationError, type FieldIssue } from './errors.js';

/**
 * The SDK error for a producer refusal, as the HTTP mode makes it from the API's answer: the same code
 * and message, and for `ApiError` the same status and details.
 */
export function toClientError(err: unknown): unknown {
  if (!(err instanceof ProducerError)) return err;
  const { code } = err;
  if (code === 'VALIDATION_ERROR') return new ValidationError(err.details as FieldIssue[]);
  if (code === 'VIDEO_NOT_FOUND' || code === 'BATCH_NOT_FOUND') {
    return new NotFoundError(err.id ?? '', err.message, code);
  }
  if (code === 'REDIS_UNAVAILABLE') return new UnavailableError(err.message, { cause: err });
  return new ApiError(err.status, code, err.message, err.details);
}

/** Runs an operation, turning a producer refusal into the SDK's error. */
export async function mapped<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    throw toClientError(err);
  }
}

/** Iterates a stream of the producer, turning a producer refusal into the SDK's error. */
export async function* mappedIterable<T>(open: () => Promise<AsyncIterable<T>>): AsyncGenerator<T> {
  try {
    yield* await open();
  } catch (err) {
    throw toClientError(err);
  }
}
