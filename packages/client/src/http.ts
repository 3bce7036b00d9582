// `@vidqueue/client/http`: the HTTP mode alone, without loading BullMQ and ioredis (a CLI starts faster).
export { createHttpClient, type HttpClientOptions } from './http-client.js';
export {
  ApiError,
  GenerationFailedError,
  NotFoundError,
  TimeoutError,
  UnavailableError,
  ValidationError,
  VidqueueError,
  type FieldIssue,
} from './errors.js';
export type * from './types.js';
export { uploadFormat } from './upload-format.js';
