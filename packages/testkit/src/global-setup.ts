import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startLocalRedis, type LocalRedis } from '@vidqueue/redis-server';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    /** True when the suite started this Redis itself (tests may then stop/restart it or flush it). */
    redisOwned: boolean;
  }
}

/**
 * Vitest global setup: uses REDIS_URL when given, otherwise starts a private redis-server on a free
 * loopback port with its data in a temporary folder, and stops it after the run.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.REDIS_URL;
  if (given) {
    project.provide('redisUrl', given);
    project.provide('redisOwned', false);
    return async () => {};
  }
  const dir = mkdtempSync(join(tmpdir(), 'vidq-test-redis-'));
  let redis: LocalRedis;
  try {
    redis = await startLocalRedis({ dir, appendOnly: false });
  } catch (err) {
    throw new Error(
      `Tests need Redis: install redis-server (apt-get install redis-server) or set REDIS_URL.\n${String(err)}`,
    );
  }
  project.provide('redisUrl', redis.url);
  project.provide('redisOwned', true);
  return async () => {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
