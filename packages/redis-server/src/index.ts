/**
 * A private `redis-server` child process for `pnpm start`, the test suite's global setup, the chaos
 * harness and the benchmarks. Nothing here talks to Redis: it only starts, finds a port for, and stops
 * the server, so it depends on no vidqueue package and no Redis client.
 */
export { freeClusterPort, freePort } from './free-port.js';
export { respCommand } from './resp-command.js';
export {
  startLocalCluster,
  waitForClusterOk,
  type LocalCluster,
  type LocalClusterOptions,
} from './start-local-cluster.js';
export { startLocalRedis, type LocalRedis, type LocalRedisOptions } from './start-local-redis.js';
