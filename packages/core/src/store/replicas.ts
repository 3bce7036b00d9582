import type { RedisConnection } from '../runtime/connection.js';

/**
 * `WAIT replicas timeoutMs` for the writes this connection made so far, on the master that holds
 * `key`; answers how many replicas acknowledged them. WAIT names no key, so on a cluster it rides in a
 * pipeline behind a read of `key`, which sends both to that key's master. It holds the connection up
 * to `timeoutMs` while replicas lag.
 */
export async function waitForReplicas(
  redis: RedisConnection,
  key: string,
  replicas: number,
  timeoutMs: number,
): Promise<number> {
  const replies = await redis.pipeline().exists(key).wait(replicas, timeoutMs).exec();
  const [err, acked] = replies?.[1] ?? [new Error('no reply to WAIT'), null];
  if (err) throw err;
  return Number(acked);
}
