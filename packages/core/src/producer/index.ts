/**
 * The producer: the one implementation of every way work enters vidqueue (the API's routes and the
 * SDK's Redis mode are adapters over it): videos, batches, cancel, retry, resume; the Redis guard; the
 * catalogue of refusals.
 */
export * from './balance.js';
export * from './batch-browse.js';
export * from './batch-jobs.js';
export * from './batch-ops.js';
export * from './batch-source.js';
export * from './context.js';
export * from './dry-run.js';
export * from './errors.js';
export * from './estimate.js';
export * from './fair-share.js';
export * from './ingest-batch.js';
export { INGEST_CHUNK_ROWS, MAX_METADATA_COLUMNS } from './ingest-passes.js';
export { MAX_LISTED_ERRORS } from './ingest-refusals.js';
export * from './producer.js';
export * from './redis-guard.js';
export * from './resume.js';
export * from './spend-checks.js';
export * from './results-export.js';
export * from './spool.js';
export * from './validate-video.js';
export * from './video-idempotency.js';
export * from './video-ops.js';
