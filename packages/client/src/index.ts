export { createClient, type ClientOptions } from './create-client.js';
export type { HttpClientOptions } from './http-client.js';
export type { RedisClientOptions } from './redis-client.js';
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
