import { clusterContract } from './cluster-contract.js';

/** The contract suite in Redis mode on a 3-master Redis Cluster, the queue in one shard (one slot). */
clusterContract(1);
