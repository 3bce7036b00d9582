import { Cluster, Redis, type ClusterNode, type ClusterOptions, type RedisOptions } from 'ioredis';
import { coalesceWrites } from './coalesce-writes.js';
import type { Config } from './config.js';

export type RedisRole =
  /** Workers and event listeners: retry forever, queue commands while reconnecting. */
  | 'worker'
  /** HTTP producers: fail fast while Redis is down so the API can answer 503 instead of hanging. */
  | 'producer';

/** A connection vidqueue works with: one Redis, or ioredis' client of a Redis Cluster. BullMQ takes both. */
export type RedisConnection = Redis | Cluster;

/** Where Redis is: REDIS_URL, or the seed nodes of a cluster (and their password). */
export type RedisTarget = Partial<Pick<Config, 'REDIS_URL' | 'REDIS_CLUSTER_NODES' | 'REDIS_PASSWORD'>>;

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * The one factory of Redis connections: API, worker, SDK (Redis mode), CLI and chaos harness all open
 * theirs here. Given a URL (or a target without cluster nodes) it opens one `Redis`; given
 * `REDIS_CLUSTER_NODES` it opens an ioredis `Cluster` on those seeds with `REDIS_PASSWORD`, with the
 * same per-role behaviour. BullMQ duplicates either for its blocking connections (`duplicate()`).
 */
export function createRedis(url: string | undefined, role: RedisRole, extra?: RedisOptions): Redis;
export function createRedis(target: RedisTarget, role: RedisRole, extra?: RedisOptions): RedisConnection;
export function createRedis(
  target: string | undefined | RedisTarget,
  role: RedisRole,
  extra: RedisOptions = {},
): RedisConnection {
  const options = roleOptions(role, extra);
  if (typeof target === 'object' && target.REDIS_CLUSTER_NODES !== undefined) {
    return coalesceWrites(createCluster(target.REDIS_CLUSTER_NODES, target.REDIS_PASSWORD, options, role));
  }
  const url = typeof target === 'object' ? target.REDIS_URL : target;
  return coalesceWrites(new Redis(url ?? DEFAULT_REDIS_URL, options));
}

function roleOptions(role: RedisRole, extra: RedisOptions): RedisOptions {
  const common: RedisOptions = {
    connectionName: `vidq-${role}`,
    retryStrategy: (times) => Math.min(200 * times, 2_000),
    ...extra,
  };
  return role === 'worker'
    ? { ...common, maxRetriesPerRequest: null, enableOfflineQueue: true }
    : { ...common, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2_000 };
}

/** `host:port` (validated by the config schema) as ioredis' node. */
export function parseClusterNode(node: string): ClusterNode {
  const colon = node.lastIndexOf(':');
  return { host: node.slice(0, colon), port: Number(node.slice(colon + 1)) };
}

/**
 * How long a worker-role cluster command keeps trying while the master of its slot is down and its
 * replica not yet promoted: a failover takes about twice `cluster-node-timeout` (15 s by default).
 */
const CLUSTER_FAILOVER_WAIT_MS = 60_000;
/** Pause before a worker-role command is tried again after its node's connection closed (failover). */
const CLUSTER_RETRY_DELAY_MS = 200;
/** Pause before a worker-role command follows a MOVED (never a busy loop while two nodes disagree). */
const CLUSTER_MOVED_DELAY_MS = 100;

/**
 * ioredis' Cluster counts every retry of a command (MOVED, TRYAGAIN, CLUSTERDOWN, a closed connection)
 * against `maxRedirections` (16 by default) and then rejects it with "Too many Cluster redirections".
 * While a master is dead and not yet replaced, a command for its slot goes round: a live node answers
 * MOVED to the dead master, the connection to it closes, ioredis waits `retryDelayOnFailover` (100 ms)
 * and tries again, so the default budget is spent in about a second, long before a replica is promoted.
 * A worker (like one Redis with `maxRetriesPerRequest: null`) must ride out a failover: its budget is
 * spread over CLUSTER_FAILOVER_WAIT_MS. A producer keeps ioredis' short budget and answers 503 at once.
 */
function clusterRetryOptions(role: RedisRole): ClusterOptions {
  if (role === 'producer') return {};
  return {
    retryDelayOnFailover: CLUSTER_RETRY_DELAY_MS,
    retryDelayOnClusterDown: CLUSTER_RETRY_DELAY_MS,
    retryDelayOnTryAgain: CLUSTER_RETRY_DELAY_MS,
    retryDelayOnMoved: CLUSTER_MOVED_DELAY_MS,
    // Every try waits at least the MOVED delay, so this many tries last at least the failover wait.
    maxRedirections: Math.ceil(CLUSTER_FAILOVER_WAIT_MS / CLUSTER_MOVED_DELAY_MS),
  };
}

function createCluster(
  nodes: readonly string[],
  password: string | undefined,
  options: RedisOptions,
  role: RedisRole,
): Cluster {
  // The per-node retry is the cluster's business (it refreshes its slot map and reconnects); the
  // offline queue is a cluster option too.
  const { retryStrategy, enableOfflineQueue, ...redisOptions } = options;
  return new Cluster(nodes.map(parseClusterNode), {
    redisOptions: { ...redisOptions, ...(password === undefined ? {} : { password }) },
    clusterRetryStrategy: (times) => retryStrategy?.(times) ?? null,
    enableOfflineQueue,
    // A slot map refresh on two busy cores can take over ioredis' default second.
    slotsRefreshTimeout: 5_000,
    ...clusterRetryOptions(role),
  });
}

/** True for ioredis' Cluster client. */
export function isCluster(redis: RedisConnection): redis is Cluster {
  return (redis as Cluster).isCluster === true;
}

/**
 * A new connection to the same Redis or cluster with `extra` options on top (a subscriber, say):
 * `Redis.duplicate(options)` and `Cluster.duplicate(nodes, options)` do not take the same arguments.
 */
export function duplicateConnection(redis: RedisConnection, extra: RedisOptions): RedisConnection {
  if (!isCluster(redis)) return redis.duplicate(extra);
  const { enableOfflineQueue, ...redisOptions } = extra;
  return redis.duplicate([], {
    redisOptions: { ...redis.options.redisOptions, ...redisOptions },
    ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
  });
}
