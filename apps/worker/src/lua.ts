import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** Runs a Lua script on any connection: one EVALSHA, and EVAL only when Redis does not know it yet. */
export type LuaScript = (redis: Redis, keys: string[], args: (string | number)[]) => Promise<unknown>;

/**
 * A Lua script sent by its SHA1 (`EVALSHA`), falling back to `EVAL` (which also caches it) after a
 * NOSCRIPT reply. Cheaper on a hot path than `redis.eval` (the source on every call) or an ioredis
 * pipeline/multi on a BullMQ connection (each copies every script BullMQ defined on it).
 */
export function luaScript(source: string): LuaScript {
  const sha = createHash('sha1').update(source).digest('hex');
  return async (redis, keys, args) => {
    try {
      return await redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return redis.eval(source, keys.length, ...keys, ...args);
    }
  };
}
