/**
 * The producer: the one implementation of every way work enters vidqueue (the API's routes and the
 * SDK's Redis mode are adapters over it): videos, batches, cancel, retry, resume.
 */
export * from './batch-ops.js';
export * from './resume.js';
export * from './video-ops.js';
