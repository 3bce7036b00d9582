import { normalizeBaseUrl, readCatalogueFile } from '@vidqueue/aimlapi';
import { createRedis, loadConfig, type Config, type RedisConnection } from '@vidqueue/core/runtime';
import { createGenerationQueues, type GenerationQueues } from '@vidqueue/core/store';
import { createProducer, type Producer } from '@vidqueue/core/producer';

/** One Redis by URL, or a Redis Cluster by its seed nodes: the same Redis the workers use. */
export type RedisLocation =
  | {
      /** e.g. `redis://127.0.0.1:6379`. */
      redisUrl: string;
      redisClusterNodes?: undefined;
    }
  | {
      /** Seed nodes of a Redis Cluster, `host:port` each (the workers' REDIS_CLUSTER_NODES). */
      redisClusterNodes: string[];
      /** The cluster nodes' password (REDIS_PASSWORD). */
      redisPassword?: string;
      redisUrl?: undefined;
    };

export type RedisClientOptions = RedisLocation & {
  /** The workers' QUEUE_PREFIX (default `vidq`, `{vidq}` on a cluster, which needs a hash tag). */
  prefix?: string;
  /** The workers' QUEUE_SHARDS (default 1): jobs are added to, and looked up in, the same shards. */
  queueShards?: number;
  /** Used when an input has no model (default: the server default, `sber-ai/kandinsky5-distill-t2v`). */
  defaultModel?: string;
  /** Longest prompt accepted (default 4000, as MAX_PROMPT_LENGTH). */
  maxPromptLength?: number;
  /**
   * A catalogue file written by `vidq models update` (the server's CATALOGUE_FILE), to check requests
   * against the same models as the server; default: the shipped catalogue. A missing or bad file
   * throws at `createClient`.
   */
  catalogueFile?: string;
  /**
   * Accept a `webhook_url` on a private or loopback address, as the workers' WEBHOOK_ALLOW_PRIVATE=true
   * (default false: such a URL is refused with a ValidationError, since the workers would never deliver to it).
   */
  allowPrivateWebhooks?: boolean;
  /** Longest wait for Redis on one call before UnavailableError (default 2000 ms). */
  redisTimeoutMs?: number;
  /**
   * The provider, for prices and the balance. Prices come from the list the API and the workers keep in
   * Redis; `baseUrl` (default `https://api.aimlapi.com`, match the server's AIMLAPI_BASE_URL) is read only
   * when that list is missing or stale (the catalogue needs no key). The balance needs `apiKey`: without
   * it `balance()` says why it is unknown and uploads are not checked against it.
   */
  aimlapi?: { baseUrl?: string; apiKey?: string };
};

/** The Redis mode's connection, queue and producer (the same one the API's routes use). */
export type RedisContext = {
  config: Config;
  redis: RedisConnection;
  queue: GenerationQueues;
  producer: Producer;
};

export function createRedisContext(options: RedisClientOptions): RedisContext {
  const cluster = options.redisClusterNodes;
  const catalogue =
    options.catalogueFile === undefined ? undefined : readCatalogueFile(options.catalogueFile);
  if (options.catalogueFile !== undefined && catalogue === undefined) {
    throw new TypeError(`catalogueFile ${options.catalogueFile} does not exist`);
  }
  const config: Config = {
    // Validates the nodes and the prefix (a cluster needs a hash tag) as the server does, and picks the default prefix.
    ...loadConfig({
      ...(cluster ? { REDIS_CLUSTER_NODES: cluster.join(',') } : {}),
      ...(options.prefix ? { QUEUE_PREFIX: options.prefix } : {}),
      ...(options.queueShards === undefined ? {} : { QUEUE_SHARDS: String(options.queueShards) }),
    }),
    REDIS_URL: options.redisUrl,
    REDIS_PASSWORD: cluster ? options.redisPassword : undefined,
    ...(options.defaultModel ? { DEFAULT_MODEL: options.defaultModel } : {}),
    ...(options.maxPromptLength ? { MAX_PROMPT_LENGTH: options.maxPromptLength } : {}),
    ...(options.allowPrivateWebhooks ? { WEBHOOK_ALLOW_PRIVATE: true } : {}),
    ...(options.aimlapi?.baseUrl ? { AIMLAPI_BASE_URL: normalizeBaseUrl(options.aimlapi.baseUrl) } : {}),
    ...(options.aimlapi?.apiKey ? { AIMLAPI_KEY: options.aimlapi.apiKey } : {}),
  };
  const timeoutMs = options.redisTimeoutMs ?? 2_000;
  const redis = createRedis(config, 'producer', { connectionName: 'vidq-client' });
  // Connection errors surface as UnavailableError on each call; keep them off 'error' crashes.
  redis.on('error', () => undefined);
  const queue = createGenerationQueues(redis, config);
  queue.on('error', () => undefined);
  // The client connects lazily: a call made before the connection is ready waits for it.
  const producer = createProducer({
    redis,
    queue,
    config,
    catalogue,
    guardOptions: { timeoutMs, connectWaitMs: timeoutMs },
  });
  return { config, redis, queue, producer };
}
