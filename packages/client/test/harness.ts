import { startTestStack as startStack, type TestStack } from '@vidqueue/test-stack';

export type { TestStack };

export const API_TOKEN = 'client-test-token-3b7e';

/** The whole stack (simulator, worker, API) the contract suite drives, under a prefix of its own. */
export function startTestStack(cluster?: TestStackCluster, env?: Record<string, string>): Promise<TestStack> {
  return startStack({
    label: 'client',
    token: API_TOKEN,
    ...(cluster ? { cluster } : {}),
    ...(env ? { env } : {}),
  });
}

/** A Redis Cluster for the stack (REDIS_CLUSTER_NODES, REDIS_PASSWORD). */
export type TestStackCluster = { REDIS_CLUSTER_NODES: string; REDIS_PASSWORD: string };
