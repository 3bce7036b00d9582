import { startTestCluster, type TestCluster } from '@vidqueue/testkit';
import { createClient } from '../src/index.js';
import { clientContract } from './contract.js';

/**
 * The whole contract suite in Redis mode on a real 3-master Redis Cluster: the SDK, the API the suite
 * compares it with, and the worker all connect through ioredis' Cluster client (REDIS_CLUSTER_NODES,
 * REDIS_PASSWORD) under a hash-tagged prefix, with the queue in `queueShards` shards.
 */
export function clusterContract(queueShards: number): void {
  let cluster: TestCluster | undefined;
  clientContract('redis', {
    queueShards,
    cluster: {
      async start() {
        cluster = await startTestCluster();
        return cluster.env;
      },
      stop: async () => cluster?.stop(),
    },
    make: (stack) =>
      createClient({
        redisClusterNodes: cluster!.nodes,
        redisPassword: cluster!.password,
        prefix: stack.config.QUEUE_PREFIX,
        queueShards: stack.config.QUEUE_SHARDS,
        // The stack's provider: prices when the shared list is missing, and the balance.
        aimlapi: { baseUrl: stack.simulator.url, apiKey: stack.config.AIMLAPI_KEY! },
      }),
    unreachable: () => createClient({ redisClusterNodes: ['127.0.0.1:1'], redisTimeoutMs: 500 }),
  });
}
