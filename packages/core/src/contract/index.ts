/**
 * The contract: what every process and every producer agrees on, with no I/O. Schemas of the job's
 * data and result, failure codes, Redis key names and ids, idempotency rules, the batch record's
 * shape, and the public views of videos and batches.
 */
export * from './archive.js';
export * from './batch-record.js';
export * from './batch-browse.js';
export * from './batch-view.js';
export * from './budget.js';
export * from './failure.js';
export * from './idempotency.js';
export * from './job-data.js';
export * from './keys.js';
export * from './metadata-limits.js';
export * from './row-carry.js';
export * from './video-request.js';
export * from './video-view.js';
export * from './video-file-name.js';
export * from './webhook-target.js';
