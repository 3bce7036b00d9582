/**
 * The runtime: what a vidqueue process needs to run. Configuration from the environment, Redis
 * connections, the logger and its redaction, and metrics shared through Redis. (The local
 * redis-server launcher is its own package, @vidqueue/redis-server.)
 */
export * from './catalogue.js';
export * from './config.js';
export * from './connection.js';
export * from './load-or-exit.js';
export * from './logger.js';
export * from './metrics.js';
export * from './redact.js';
