import { once } from 'node:events';
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, uniquePrefix, type TestCluster } from '@vidqueue/testkit';
import { createRedis, loadConfig } from '../src/runtime/index.js';

/**
 * A master failover on a real Redis Cluster (3 masters, a replica each): the master serving a key is
 * SIGKILLed while a command for that key is on its way. A worker-role connection must wait for the
 * replica's promotion and then succeed (ioredis' default budget of 16 redirections rejects the command
 * with "Too many Cluster redirections" within about a second); a producer-role connection fails fast.
 */
let cluster: TestCluster;
let worker: Cluster;
let producer: Cluster;
let key: string;

beforeAll(async () => {
  cluster = await startTestCluster({ replicasPerMaster: 1 });
  const config = loadConfig(cluster.env);
  worker = createRedis(config, 'worker') as Cluster;
  producer = createRedis(config, 'producer') as Cluster;
  worker.on('error', () => undefined);
  producer.on('error', () => undefined);
  key = `{${uniquePrefix('failover')}}:k`;
  // The producer queues nothing while it connects (enableOfflineQueue: false): wait for its slot map.
  if (producer.status !== 'ready') await once(producer, 'ready');
}, 40_000);

afterAll(async () => {
  worker?.disconnect();
  producer?.disconnect();
  await cluster?.stop();
});

/** The port of the master serving `key`, from the slot map the worker's client holds. */
async function masterPortOf(redis: Cluster, key: string): Promise<number> {
  const slot = Number(await redis.cluster('KEYSLOT', key));
  const slots = await redis.cluster('SLOTS');
  const master = slots.find(([from, to]) => slot >= from && slot <= to)?.[2];
  if (master === undefined) throw new Error(`no master serves slot ${slot}`);
  return master[1];
}

describe('a Redis Cluster master failover', () => {
  it('a worker connection waits for the promoted replica; a producer one fails fast', async () => {
    await worker.set(key, 'before');
    expect(await producer.get(key)).toBe('before');
    const victim = await masterPortOf(worker, key);
    await cluster.killNode(victim);

    const started = Date.now();
    const producerRead = producer.get(key).then(
      () => 'answered',
      (err: unknown) => String(err),
    );
    const workerWrite = worker.set(key, 'after');
    expect(await producerRead).toMatch(/Too many Cluster redirections|Connection is closed/);
    await expect(workerWrite).resolves.toBe('OK');
    expect(await worker.get(key)).toBe('after');
    // The write waited for the promotion: more than the default budget's second or so.
    expect(Date.now() - started).toBeGreaterThan(1_500);
    expect(await masterPortOf(worker, key)).not.toBe(victim);
  }, 60_000);
});
