import type { RedisConnection } from '../runtime/connection.js';
import { createAimlApiClient, shippedCatalogue, type Catalogue } from '@vidqueue/aimlapi';
import { vidqKeys } from '../contract/keys.js';
import type { Config } from '../runtime/config.js';
import { createBatchStore, type BatchStore } from '../store/batch-store.js';
import { createPriceBook, providerPricedCatalogue, type PriceBook } from '../store/price-book.js';
import type { GenerationQueues } from '../store/shards.js';
import { createBalanceReader, type BalanceReader } from './balance.js';
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
  | 'AIMLAPI_BASE_URL'
  | 'AIMLAPI_KEY'
  | 'AIMLAPI_TIMEOUT_MS'
  | 'PRICES_REFRESH_MS'
  | 'BALANCE_CACHE_MS'
  | 'SPEND_LIMIT_USD_PER_DAY'
  | 'FAIR_SHARE_ROWS'
  | 'WEBHOOK_ALLOW_PRIVATE'
>;

/** Rows per read of the batch record and per `addBulk`, for results, cancel and retry (ingest: INGEST_CHUNK_ROWS). */
export const CHUNK_ROWS = 1000;

/** How long staged rows of an upload survive a crash between validation and enqueueing. */
export const STAGING_TTL_SECONDS = 3600;

/** What every producer operation works with; made once by `createProducer`. */
export type ProducerContext = {
  redis: RedisConnection;
  queue: GenerationQueues;
  config: ProducerConfig;
  keys: ReturnType<typeof vidqKeys>;
  /** Every Redis call of an operation runs through it (timeout, REDIS_UNAVAILABLE). */
  guard: RedisGuard;
  /** The batch records. */
  store: BatchStore;
  /** Rows of uploads being validated, adopted by their batch or dropped (and expiring anyway). */
  staging: BatchStore;
  /** The provider's prices, shared through Redis with every process (estimates, dry runs). */
  prices: PriceBook;
  /** The account balance (batch uploads are checked against it). */
  balance: BalanceReader;
  /** The models and their fields every request is checked against (and priced with: their defaults). */
  catalogue: Catalogue;
};

/** What a producer may be given instead of making its own (the API shares them with its routes). */
export type ProducerExtras = {
  prices?: PriceBook | undefined;
  balance?: BalanceReader | undefined;
  /** Failed reads of the provider's catalogue (the producer keeps going with the last prices, or none). */
  onPricesError?: ((err: unknown) => void) | undefined;
  /** Look at the price list every PRICES_REFRESH_MS even when idle (a long-running API); `prices.close()` stops it. */
  keepPricesFresh?: boolean | undefined;
};

/** The price book every producer makes from its config: the catalogue at AIMLAPI_BASE_URL, shared in Redis. */
export function producerPriceBook(
  redis: RedisConnection,
  config: ProducerConfig,
  extras: Pick<ProducerExtras, 'onPricesError' | 'keepPricesFresh'> & { guard?: RedisGuard } = {},
): PriceBook {
  return createPriceBook({
    redis,
    prefix: config.QUEUE_PREFIX,
    read: providerPricedCatalogue({
      baseUrl: config.AIMLAPI_BASE_URL,
      apiKey: config.AIMLAPI_KEY,
      timeoutMs: config.AIMLAPI_TIMEOUT_MS,
    }),
    refreshMs: config.PRICES_REFRESH_MS,
    lockMs: config.AIMLAPI_TIMEOUT_MS + 5_000,
    ...(extras.onPricesError && { onError: extras.onPricesError }),
    ...(extras.guard && { guard: extras.guard }),
    ...(extras.keepPricesFresh && { keepFresh: true }),
  });
}

/** The balance reader every producer makes from its config: `GET /v2/billing` with AIMLAPI_KEY, if set. */
export function producerBalance(config: ProducerConfig): BalanceReader {
  const key = config.AIMLAPI_KEY;
  const client =
    key === undefined
      ? undefined
      : createAimlApiClient({
          apiKey: key,
          baseUrl: config.AIMLAPI_BASE_URL,
          timeoutMs: config.AIMLAPI_TIMEOUT_MS,
        });
  return createBalanceReader({ read: client && (() => client.balance()), ttlMs: config.BALANCE_CACHE_MS });
}

export function createProducerContext(
  deps: {
    redis: RedisConnection;
    queue: GenerationQueues;
    config: ProducerConfig;
    guard: RedisGuard;
    catalogue?: Catalogue | undefined;
  } & ProducerExtras,
): ProducerContext {
  const { redis, config, queue, guard } = deps;
  return {
    redis,
    queue,
    config,
    guard,
    catalogue: deps.catalogue ?? shippedCatalogue(),
    keys: vidqKeys(config.QUEUE_PREFIX),
    store: createBatchStore(redis, config.QUEUE_PREFIX, config.BATCH_TTL_SECONDS),
    staging: createBatchStore(redis, config.QUEUE_PREFIX, STAGING_TTL_SECONDS),
    prices:
      deps.prices ??
      producerPriceBook(redis, config, {
        onPricesError: deps.onPricesError,
        keepPricesFresh: deps.keepPricesFresh,
        guard,
      }),
    balance: deps.balance ?? producerBalance(config),
  };
}
