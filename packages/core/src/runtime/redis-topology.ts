/**
 * The rules a Redis Cluster adds to the configuration: REDIS_CLUSTER_NODES or REDIS_URL (not both), and a
 * queue prefix with a hash tag, so that every key of a deployment (BullMQ's and vidqueue's) lands in one
 * slot and no script or pipeline ever spans two. Its settings are part of ConfigSchema (config.ts).
 */
import { z } from 'zod';

/** The most shards QUEUE_SHARDS accepts. */
export const MAX_QUEUE_SHARDS = 64;

/** The settings of a cluster and of replica waits, spread into ConfigSchema. */
export const redisTopologySettings = {
  /**
   * Seed nodes of a Redis Cluster (`host:port,host:port,…`): every process then uses ioredis' Cluster
   * client instead of REDIS_URL (set one or the other), and QUEUE_PREFIX must carry a hash tag (default
   * `{vidq}`) so that every key vidqueue and BullMQ use lands in one slot.
   */
  REDIS_CLUSTER_NODES: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t.length > 0),
    )
    .pipe(
      z
        .array(
          z
            .string()
            .regex(/^[A-Za-z0-9_.-]+:\d{1,5}$/, 'each node must be host:port (no scheme, no password)'),
        )
        .min(1, 'must list at least one host:port'),
    )
    .optional(),
  /** Password of the Redis Cluster nodes (REDIS_CLUSTER_NODES); with REDIS_URL the password goes in the URL. */
  REDIS_PASSWORD: z.string().min(1).optional(),
  /**
   * Replicas that must have a job's `submitting` mark before its create call is sent (`WAIT`), so that a
   * failover cannot forget a create already paid for; 0: no wait (one Redis, or no replicas).
   */
  REDIS_WAIT_REPLICAS: z.coerce.number().int().min(0).max(16).default(0),
  /** Longest wait for those replicas; fewer in time: nothing is sent, the job is delayed. */
  REDIS_WAIT_TIMEOUT_MS: z.coerce.number().int().min(10).max(60_000).default(1_000),
  /**
   * Queues the generations are spread over (store/shards.ts), each under its own hash tag so that a
   * cluster puts them on different masters; 1: one queue (the layout before shards).
   */
  QUEUE_SHARDS: z.coerce.number().int().min(1).max(MAX_QUEUE_SHARDS).default(1),
  /** The shards a worker process takes jobs from (`0,2`); default every shard. Each below QUEUE_SHARDS. */
  WORKER_SHARDS: z
    .string()
    .regex(/^\s*\d{1,2}(\s*,\s*\d{1,2})*\s*$/, 'a comma-separated list of shard numbers (0,1,…)')
    .transform((s) => [...new Set(s.split(',').map((t) => Number(t.trim())))].sort((a, b) => a - b))
    .optional(),
};

/** The queue prefix when QUEUE_PREFIX is unset: hash-tagged on a cluster. */
export const DEFAULT_QUEUE_PREFIX = 'vidq';
export const DEFAULT_CLUSTER_QUEUE_PREFIX = '{vidq}';

type RedisSettings = {
  REDIS_URL?: string;
  REDIS_CLUSTER_NODES?: string[];
  QUEUE_PREFIX?: string;
  QUEUE_SHARDS?: number;
  WORKER_SHARDS?: number[];
};

/**
 * The hash tag of a key prefix as Redis Cluster reads it: the text between the first `{` and the
 * next `}`, when not empty. Every key starting with the prefix then hashes to one slot.
 */
export function hashTagOf(prefix: string): string | undefined {
  const open = prefix.indexOf('{');
  if (open < 0) return undefined;
  const close = prefix.indexOf('}', open + 1);
  return close > open + 1 ? prefix.slice(open + 1, close) : undefined;
}

/** Configuration lines (`  KEY: rule`) the settings break; none when they hold together. */
export function redisTopologyProblems(settings: RedisSettings): string[] {
  const problems: string[] = [];
  const shards = settings.QUEUE_SHARDS ?? 1;
  const beyond = (settings.WORKER_SHARDS ?? []).filter((s) => s >= shards);
  if (beyond.length > 0) {
    problems.push(
      `  WORKER_SHARDS: shard ${beyond.join(', ')} does not exist: QUEUE_SHARDS=${shards} has shards 0 to ${shards - 1}`,
    );
  }
  if (settings.REDIS_CLUSTER_NODES === undefined) return problems;
  if (settings.REDIS_URL !== undefined) {
    problems.push('  REDIS_CLUSTER_NODES: set either REDIS_URL or REDIS_CLUSTER_NODES, not both');
  }
  if (settings.QUEUE_PREFIX !== undefined && hashTagOf(settings.QUEUE_PREFIX) === undefined) {
    problems.push(
      `  QUEUE_PREFIX: must carry a hash tag such as ${DEFAULT_CLUSTER_QUEUE_PREFIX} with REDIS_CLUSTER_NODES ` +
        '(every key of a queue and of its scripts must land in one cluster slot)',
    );
  }
  return problems;
}

/** QUEUE_PREFIX as given, else the default of the topology. */
export function resolveQueuePrefix(settings: RedisSettings): string {
  return (
    settings.QUEUE_PREFIX ??
    (settings.REDIS_CLUSTER_NODES === undefined ? DEFAULT_QUEUE_PREFIX : DEFAULT_CLUSTER_QUEUE_PREFIX)
  );
}
