import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { respCommand, startLocalCluster, type LocalCluster } from '../src/index.js';

let cluster: LocalCluster | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'vidq-redis-cluster-'));
  dirs.push(dir);
  return dir;
};

describe('startLocalCluster', () => {
  it('starts 3 masters that agree the cluster is ok, with the bus at port + 10000, and stops them', async () => {
    cluster = await startLocalCluster({ dir: tempDir() });
    expect(cluster.nodes).toHaveLength(3);
    for (const server of cluster.servers) {
      const info = await respCommand(server.port, ['CLUSTER', 'INFO']);
      expect(info).toContain('cluster_state:ok');
      expect(info).toContain('cluster_known_nodes:3');
      expect(info).toContain('cluster_size:3'); // 3 masters, each serving slots
      const myself = (await respCommand(server.port, ['CLUSTER', 'NODES']))
        .split('\n')
        .find((line) => line.includes('myself'));
      expect(myself).toContain(`127.0.0.1:${server.port}@${server.port + 10_000}`);
    }
    const { servers } = cluster;
    await cluster.stop();
    cluster = undefined;
    for (const server of servers) expect(server.process.exitCode ?? server.process.signalCode).not.toBeNull();
  });

  it('gives each master a replica when asked, behind a password', async () => {
    const password = 'cluster-pw-3b9e';
    cluster = await startLocalCluster({ dir: tempDir(), replicasPerMaster: 1, password });
    expect(cluster.nodes).toHaveLength(6);
    expect(await respCommand(cluster.servers[0]!.port, ['PING'])).toMatch(/^-NOAUTH/);
    const nodes = await respCommand(cluster.servers[0]!.port, ['CLUSTER', 'NODES'], { password });
    expect(nodes.match(/^\S+ \S+ (myself,)?master\b/gm)).toHaveLength(3);
    expect(nodes.match(/^\S+ \S+ (myself,)?slave\b/gm)).toHaveLength(3);
    for (const server of cluster.servers) {
      const replication = await respCommand(server.port, ['INFO', 'replication'], { password });
      expect(replication.includes('role:master') || replication.includes('master_link_status:up')).toBe(true);
    }
  });
});
