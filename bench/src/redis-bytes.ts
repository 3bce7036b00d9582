import type { Redis } from 'ioredis';

/** `MEMORY USAGE key SAMPLES 0` (every element counted), 0 for a missing key. */
export async function memoryUsage(redis: Redis, key: string): Promise<number> {
  return Number((await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) ?? 0);
}

/** `INFO memory` used_memory. */
export async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? Number.NaN);
}

/** Where a finished job's bytes go: each key it owns, summed over `jobKeys` (MEMORY USAGE, pipelined). */
export async function jobKeyBytes(
  redis: Redis,
  jobKeys: readonly string[],
): Promise<{ hash: number; logs: number; logLines: number }> {
  const totals = { hash: 0, logs: 0, logLines: 0 };
  for (let start = 0; start < jobKeys.length; start += 500) {
    const pipe = redis.pipeline();
    for (const key of jobKeys.slice(start, start + 500)) {
      pipe.call('MEMORY', 'USAGE', key, 'SAMPLES', '0');
      pipe.call('MEMORY', 'USAGE', `${key}:logs`, 'SAMPLES', '0');
      pipe.llen(`${key}:logs`);
    }
    const replies = (await pipe.exec()) ?? [];
    replies.forEach(([, value], i) => {
      const n = Number(value ?? 0);
      if (i % 3 === 0) totals.hash += n;
      else if (i % 3 === 1) totals.logs += n;
      else totals.logLines += n;
    });
  }
  return totals;
}

/** Bytes of each field of a hash (HSTRLEN), largest first: what a job hash holds. */
export async function hashFieldBytes(redis: Redis, key: string): Promise<[string, number][]> {
  const fields = await redis.hkeys(key);
  const sizes: [string, number][] = [];
  for (const field of fields) sizes.push([field, await redis.hstrlen(key, field)]);
  return sizes.sort((a, b) => b[1] - a[1]);
}

/** A stream's length, MEMORY USAGE and entries ever added (`XINFO STREAM`). */
export async function streamBytes(
  redis: Redis,
  key: string,
): Promise<{ length: number; bytes: number; added: number }> {
  if ((await redis.exists(key)) === 0) return { length: 0, bytes: 0, added: 0 };
  const info = (await redis.call('XINFO', 'STREAM', key)) as unknown[];
  const field = (name: string) => Number(info[info.indexOf(name) + 1] ?? 0);
  return { length: field('length'), bytes: await memoryUsage(redis, key), added: field('entries-added') };
}
