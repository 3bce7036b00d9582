import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cluster } from 'ioredis';
import { createRedis, loadConfig } from '@vidqueue/core/runtime';
import { respCommand, startLocalCluster, type LocalCluster } from '@vidqueue/redis-server';
import { commandStats, procUsage } from './env.js';

export type PrivateCluster = {
  /** What a vidqueue process needs to use the cluster: REDIS_CLUSTER_NODES and REDIS_PASSWORD. */
  env: { REDIS_CLUSTER_NODES: string; REDIS_PASSWORD: string };
  /** A worker-role ioredis Cluster client of it (ready). */
  redis: Cluster;
  /** Per master, in `redis-cli --cluster create` order: CPU time (ms) and commands run since start. */
  masters(): Promise<{ cpuMs: number; commands: number }[]>;
  stop(): Promise<void>;
};

/**
 * A private Redis Cluster for one scenario: `masters` masters, no replicas, no append-only file, behind
 * a random password, in a temporary folder removed on stop. Masters' CPU time comes from /proc (as the
 * children's), their command counts from `INFO commandstats` (scripts count once, as `evalsha`).
 */
export async function privateCluster(masters = 3): Promise<PrivateCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'vidq-bench-cluster-'));
  const password = `bench-${randomBytes(6).toString('hex')}`;
  let cluster: LocalCluster;
  try {
    cluster = await startLocalCluster({ dir, password, masters, appendOnly: false });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const env = { REDIS_CLUSTER_NODES: cluster.nodes.join(','), REDIS_PASSWORD: password };
  const redis = createRedis(loadConfig(env), 'worker') as Cluster;
  const stop = async () => {
    redis.disconnect();
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await new Promise<void>((resolve, reject) => {
      redis.once('ready', resolve);
      setTimeout(() => reject(new Error('the cluster client did not get ready in 30 s')), 30_000).unref();
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    env,
    redis,
    masters: () =>
      Promise.all(
        cluster.servers.map(async (server) => {
          const info = await respCommand(server.port, ['INFO', 'commandstats'], { password });
          let commands = 0;
          for (const [name, n] of commandStats(info)) {
            if (name !== 'info' && !name.startsWith('cluster')) commands += n;
          }
          return { cpuMs: procUsage(server.process.pid ?? 0).cpuMs, commands };
        }),
      ),
    stop,
  };
}
