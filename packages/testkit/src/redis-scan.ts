import type { Cluster, Redis } from 'ioredis';

/** Every key under a prefix with its value dumped as text, to search for secrets. */
export async function dumpKeys(connection: Redis | Cluster, pattern: string): Promise<string> {
  const out: string[] = [];
  // SCAN walks one node: on a cluster, walk each master.
  const nodes = connection.isCluster ? (connection as Cluster).nodes('master') : [connection as Redis];
  for (const redis of nodes) {
    out.push(...(await dumpNode(redis, pattern)));
  }
  return out.join('\n');
}

async function dumpNode(redis: Redis, pattern: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    for (const key of keys) {
      const type = await redis.type(key);
      let value: unknown;
      switch (type) {
        case 'string':
          value = await redis.get(key);
          break;
        case 'hash':
          value = await redis.hgetall(key);
          break;
        case 'list':
          value = await redis.lrange(key, 0, -1);
          break;
        case 'set':
          value = await redis.smembers(key);
          break;
        case 'zset':
          value = await redis.zrange(key, 0, -1, 'WITHSCORES');
          break;
        case 'stream':
          value = await redis.xrange(key, '-', '+');
          break;
        default:
          value = type;
      }
      out.push(`${key} ${JSON.stringify(value)}`);
    }
  } while (cursor !== '0');
  return out;
}
