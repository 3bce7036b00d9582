import { clusterContract } from './cluster-contract.js';

/**
 * The contract suite in Redis mode on a 3-master Redis Cluster with the queue split in 3 shards
 * (QUEUE_SHARDS=3), one per master: the SDK and the API add to and look up in the shard a job belongs
 * to, the worker takes from all three; cancel, retry, idempotency, budgets and batches work across them.
 */
clusterContract(3);
