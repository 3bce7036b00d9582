import type { RedisConnection } from '../runtime/connection.js';
import { shippedCatalogue, type Catalogue } from '@vidqueue/aimlapi';
import { vidqKeys } from '../contract/keys.js';
import type { Config } from '../runtime/config.js';
import { createBatchStore, type BatchStore } from '../store/batch-store.js';
import type { GenerationQueue } from '../store/queue.js';
import type { RedisGuard } from './redis-guard.js';

/** The settings the producer reads (a subset of `Config`; the SDK fills them from its options). */
export type ProducerConfig = Pick<
  Config,
  | 'QUEUE_PREFIX'
  | 'DEFAULT_MODEL'
  | 'MAX_PROMPT_LENGTH'
  | 'MAX_UPLOAD_BYTES'
  | 'MAX_BATCH_ROWS'
  | 'BATCH_TTL_SECONDS'
  | 'FAIR_SHARE_ROWS'
>;

/** Rows per read of the batch record and per `addBulk`, for ingest, results, cancel and retry alike. */
export const CHUNK_ROWS = 1000;

/** How long staged rows of an upload survive a crash between validation and enqueueing. */
export const STAGING_TTL_SECONDS = 3600;

/** What every producer operation works with; made once by `createProducer`. */
export type ProducerContext = {
  redis: RedisConnection;
  queue: GenerationQueue;
  config: ProducerConfig;
  keys: ReturnType<typeof vidqKeys>;
  /** Every Redis call of an operation runs through it (timeout, REDIS_UNAVAILABLE). */
  guard: RedisGuard;
  /** The batch records. */
  store: BatchStore;
  /** Rows of uploads being validated, adopted by their batch or dropped (and expiring anyway). */
  staging: BatchStore;
  /** The models and their fields every request is checked against. */
  catalogue: Catalogue;
};

export function createProducerContext(deps: {
  redis: RedisConnection;
  queue: GenerationQueue;
  config: ProducerConfig;
  guard: RedisGuard;
  catalogue?: Catalogue | undefined;
}): ProducerContext {
  const { redis, config } = deps;
  return {
    ...deps,
    catalogue: deps.catalogue ?? shippedCatalogue(),
    keys: vidqKeys(config.QUEUE_PREFIX),
    store: createBatchStore(redis, config.QUEUE_PREFIX, config.BATCH_TTL_SECONDS),
    staging: createBatchStore(redis, config.QUEUE_PREFIX, STAGING_TTL_SECONDS),
  };
}
