// `@vidqueue/client`: both modes. The HTTP entry (`@vidqueue/client/http`) holds the errors and
// types both share; this one adds `createClient`, which can also open the Redis mode.
export * from './http.js';
export { createClient, type ClientOptions } from './create-client.js';
export type { RedisClientOptions } from './redis-context.js';
