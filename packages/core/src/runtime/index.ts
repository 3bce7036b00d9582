/**
 * The runtime: what a vidqueue process needs to run. Configuration from the environment, Redis
 * connections, the logger and its redaction, metrics shared through Redis, and a local redis-server.
 */
export * from './config.js';
export * from './connection.js';
export * from './load-or-exit.js';
export * from './local-redis.js';
export * from './logger.js';
export * from './metrics.js';
export * from './redact.js';
