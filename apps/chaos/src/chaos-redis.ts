import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  respCommand,
  startLocalCluster,
  startLocalRedis,
  waitForClusterOk,
  type LocalCluster,
  type LocalRedis,
} from '@vidqueue/redis-server';

/** The Redis of a chaos run: one append-only server, or a cluster of 3 masters with a replica each. */
export type ChaosRedis = {
  /** What the API and workers need to reach it (REDIS_URL, or the cluster's nodes, password and prefix). */
  env: Record<string, string>;
  prefix: string;
  describe: string;
  /** The scenario's Redis disruption; answers what it did, for the run's log. */
  disrupt(downMs: number): Promise<string>;
  stop(): Promise<void>;
};

/**
 * One append-only Redis whose disruption is a restart (SIGTERM, a pause, the same port and folder), or,
 * with `cluster`, a real cluster whose disruption is a failover: the master serving the prefix's slot is
 * SIGKILLed, its replica promoted, then the old master started again (it rejoins as a replica).
 */
export async function startChaosRedis(dir: string, cluster: boolean): Promise<ChaosRedis> {
  return cluster ? startClusterRedis(join(dir, 'cluster')) : startSingleRedis(join(dir, 'redis'));
}

async function startSingleRedis(dir: string): Promise<ChaosRedis> {
  let redis: LocalRedis = await startLocalRedis({ dir, appendOnly: true });
  return {
    env: { REDIS_URL: redis.url, QUEUE_PREFIX: 'chaos' },
    prefix: 'chaos',
    describe: `redis ${redis.url} (append-only, ${dir})`,
    async disrupt(downMs) {
      await redis.stop();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      redis = await startLocalRedis({ dir, appendOnly: true, port: redis.port });
      return `redis stopped (SIGTERM) for ${downMs} ms, started again on the same port and data folder`;
    },
    stop: () => redis.stop(),
  };
}

const PREFIX = '{chaos}';

async function startClusterRedis(dir: string): Promise<ChaosRedis> {
  const password = `pw-redis-${randomBytes(8).toString('hex')}`;
  const cluster = await startLocalCluster({ dir, replicasPerMaster: 1, appendOnly: true, password });
  return {
    env: {
      REDIS_CLUSTER_NODES: cluster.nodes.join(','),
      REDIS_PASSWORD: password,
      QUEUE_PREFIX: PREFIX,
      // A create goes out only once a replica has the job's submitting mark.
      REDIS_WAIT_REPLICAS: '1',
    },
    prefix: PREFIX,
    describe: `redis cluster ${cluster.nodes.join(',')} (3 masters, 1 replica each, append-only)`,
    disrupt: () => failover(cluster, password),
    stop: () => cluster.stop(),
  };
}

/** SIGKILLs the master of the prefix's slot, waits for its replica to take over, restarts it. */
async function failover(cluster: LocalCluster, password: string): Promise<string> {
  const ports = cluster.servers.map((s) => s.port);
  const ask = (port: number, ...args: string[]) => respCommand(port, args, { password });
  const slot = Number(/:(\d+)/.exec(await ask(ports[0]!, 'CLUSTER', 'KEYSLOT', PREFIX))?.[1]);
  const victim = masterOf(await ask(ports[0]!, 'CLUSTER', 'NODES'), slot);
  if (victim === undefined) throw new Error(`no master serves slot ${slot}`);
  const started = Date.now();
  await cluster.killNode(victim);
  const survivors = ports.filter((p) => p !== victim);
  // Promoted once a surviving node says another master serves the slot and the cluster is ok again.
  for (;;) {
    const nodes = await ask(survivors[0]!, 'CLUSTER', 'NODES').catch(() => '');
    const owner = nodes ? masterOf(nodes, slot, true) : undefined;
    if (owner !== undefined && owner !== victim) break;
    if (Date.now() - started > 60_000) throw new Error(`no replica took over slot ${slot} in 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await waitForClusterOk(survivors, 60_000, undefined, password);
  const promotedMs = Date.now() - started;
  await cluster.restartNode(victim);
  await waitForClusterOk(ports, 60_000, { masters: 3, replicas: 3 }, password);
  return `failover: master 127.0.0.1:${victim} (slot ${slot}) SIGKILLed, its replica promoted in ${promotedMs} ms; the old master rejoined as a replica`;
}

/** The port of the master serving `slot` in a CLUSTER NODES reply (only a live one with `live`). */
function masterOf(nodes: string, slot: number, live = false): number | undefined {
  for (const line of nodes.split('\n')) {
    const [, address, flags, , , , , , ...slots] = line.trim().split(' ');
    if (!address || !flags?.includes('master') || (live && flags.includes('fail'))) continue;
    const serves = slots.some((range) => {
      const [from, to = from] = range.split('-').map(Number);
      return from !== undefined && to !== undefined && slot >= from && slot <= to;
    });
    if (serves) return Number(/:(\d+)@/.exec(address)?.[1]);
  }
  return undefined;
}
