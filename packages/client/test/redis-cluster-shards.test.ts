import { startTestCluster, type TestCluster } from '@vidqueue/testkit';
import { createClient } from '../src/index.js';
import { clientContract } from './contract.js';

/**
 * The whole contract suite in Redis mode on a real 3-master Redis Cluster with the queue split in 3
 * shards (QUEUE_SHARDS=3), one per master: the SDK and the API add to and look up in the shard a job
 * belongs to, the worker takes from all three; cancel, retry, idempotency, budgets and batches work
 * across them.
 */
let cluster: TestCluster | undefined;

clientContract('redis', {
  queueShards: 3,
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
      aimlapi: { baseUrl: stack.simulator.url, apiKey: stack.config.AIMLAPI_KEY! },
    }),
  unreachable: () => createClient({ redisClusterNodes: ['127.0.0.1:1'], redisTimeoutMs: 500 }),
});
