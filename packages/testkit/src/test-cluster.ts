import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalCluster, type LocalCluster } from '@vidqueue/redis-server';

export type TestCluster = LocalCluster & {
  /** The nodes' password. */
  password: string;
  /** What a vidqueue process needs to use this cluster: REDIS_CLUSTER_NODES and REDIS_PASSWORD. */
  env: { REDIS_CLUSTER_NODES: string; REDIS_PASSWORD: string };
};

/**
 * A real Redis Cluster for one test file (3 masters by default, behind a password), its data in a
 * temporary folder that `stop()` removes. Start it in `beforeAll` and stop it in `afterAll`.
 */
export async function startTestCluster(options: { replicasPerMaster?: number } = {}): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'vidq-test-cluster-'));
  const password = `cluster-${Math.random().toString(36).slice(2, 10)}`;
  let cluster: LocalCluster;
  try {
    cluster = await startLocalCluster({ dir, password, ...options });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    ...cluster,
    password,
    env: { REDIS_CLUSTER_NODES: cluster.nodes.join(','), REDIS_PASSWORD: password },
    async stop() {
      await cluster.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
