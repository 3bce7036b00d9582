/**
 * The store: how vidqueue's state lives in Redis. The generation queue and its job options, the batch
 * record and its Lua transitions, the provider's price list shared by every process (`price-book.ts`),
 * the spending ledger behind the caps (`spend-ledger.ts`), every Redis script (`scripts/lua/*.lua`), and
 * the one module that writes into BullMQ's own keys (`bullmq-job.ts`).
 */
export * from './archive-queue.js';
export * from './archive-store.js';
export * from './batch-store.js';
export * from './bullmq-job.js';
export * from './price-book.js';
export * from './queue.js';
export * from './replicas.js';
export * from './scripts/index.js';
export * from './shards.js';
export * from './spend-ledger.js';
