import type { Redis } from 'ioredis';
import { vidqKeys } from '../contract/keys.js';
import type { BatchStoreContext } from './batch-context.js';
import { batchIndexOps } from './batch-index.js';
import { batchMetaOps } from './batch-meta.js';
import { batchRowOps } from './batch-rows.js';
import { batchTransitionOps } from './batch-transitions.js';

/**
 * The record of a batch, kept in our own Redis hashes so it outlives BullMQ's job retention: without a
 * TTL while it is fully enqueued and a row is open, then BATCH_TTL_SECONDS after it finished (an upload
 * whose enqueueing broke midway keeps a TTL from its last change, so it does not stay forever). Row statuses change only through Lua scripts, which
 * move one count down and another up in the same step, so the counts always add up to `total`
 * however many workers finish rows at once, and whatever hooks are replayed after a crash.
 *
 * Four parts, one file each: the meta and counts (`batch-meta.ts`), the index of batches by creation
 * time (`batch-index.ts`), the rows' requests and outcomes (`batch-rows.ts`), and the row transitions
 * run in Lua (`batch-transitions.ts`).
 */
export type BatchStore = ReturnType<typeof createBatchStore>;

export function createBatchStore(redis: Redis, prefix: string, ttlSeconds: number) {
  const ctx: BatchStoreContext = { redis, keys: vidqKeys(prefix), ttlSeconds };
  return {
    ttlSeconds,
    ...batchMetaOps(ctx),
    ...batchIndexOps(ctx),
    ...batchRowOps(ctx),
    ...batchTransitionOps(ctx),
  };
}

export type { SetRowStatusOptions } from './batch-transitions.js';
export { decodeBatchCursor, encodeBatchCursor, type BatchIndexEntry } from './batch-index.js';
