import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAimlApiClient } from '@vidqueue/aimlapi';
import { GenerationJobDataSchema, newVideoId } from '@vidqueue/core/contract';
import { createLogger, createRedis, loadConfig, type RedisConnection } from '@vidqueue/core/runtime';
import { createGenerationQueue, waitForReplicas, type GenerationQueue } from '@vidqueue/core/store';
import { startSimulator, type RunningSimulator } from '@vidqueue/simulator';
import { LogSink, startTestCluster, uniquePrefix, type TestCluster } from '@vidqueue/testkit';
import { startWorker, type RunningWorker } from '../src/start-worker.js';
import { FAST_ENV, PROVIDER_KEY } from './harness.js';

/**
 * REDIS_WAIT_REPLICAS on a real cluster of 3 masters with a replica each: a create goes out only once
 * the job's `submitting` mark is on that many replicas; asked for more replicas than exist, nothing is
 * sent and the job waits in delayed, back at `pending`.
 */
let cluster: TestCluster;
let sim: RunningSimulator;
let producer: RedisConnection;
let queue: GenerationQueue | undefined;
let worker: RunningWorker | undefined;
const sink = new LogSink();

beforeAll(async () => {
  cluster = await startTestCluster({ replicasPerMaster: 1 });
  sim = await startSimulator({ port: 0, generationMs: 200 });
  producer = createRedis(loadConfig(cluster.env), 'worker');
}, 60_000);

afterEach(async () => {
  await worker?.close();
  await queue?.close();
  worker = queue = undefined;
});

afterAll(async () => {
  producer?.disconnect();
  await sim?.close();
  await cluster?.stop();
});

async function run(replicas: string) {
  const config = loadConfig({
    ...FAST_ENV,
    ...cluster.env,
    QUEUE_PREFIX: `{${uniquePrefix('wait')}}`,
    AIMLAPI_KEY: PROVIDER_KEY,
    AIMLAPI_BASE_URL: sim.url,
    REDIS_WAIT_REPLICAS: replicas,
    REDIS_WAIT_TIMEOUT_MS: '200',
  });
  queue = createGenerationQueue(producer, config);
  const client = createAimlApiClient({ apiKey: PROVIDER_KEY, baseUrl: sim.url, timeoutMs: 5_000 });
  worker = await startWorker({ config, logger: createLogger({ level: 'debug', destination: sink }), client });
  const prompt = `replica wait ${replicas} ${uniquePrefix()}`;
  const job = await queue.add(
    'generate',
    GenerationJobDataSchema.parse({ input: { model: config.DEFAULT_MODEL, prompt } }),
    { jobId: newVideoId() },
  );
  return { job: job.id!, prompt };
}

describe('REDIS_WAIT_REPLICAS on a Redis Cluster with replicas', () => {
  it('WAIT reaches the master of the key and counts its replica', async () => {
    const key = `{${uniquePrefix('w')}}:k`;
    await producer.set(key, '1');
    expect(await waitForReplicas(producer, key, 1, 1_000)).toBe(1);
  });

  it('sends the create once the submitting mark is on a replica, and the video completes', async () => {
    const { job, prompt } = await run('1');
    await expect.poll(() => queue!.getJobState(job), { timeout: 20_000, interval: 50 }).toBe('completed');
    expect(sim.stats().by_prompt[prompt]?.creates).toBe(1);
  }, 30_000);

  it('sends nothing while fewer replicas than asked confirm it: the job waits in delayed, pending', async () => {
    const { job, prompt } = await run('2'); // each master has one replica
    await expect
      .poll(
        () =>
          sink.lines.filter((l) => String(l.msg).startsWith('the submitting mark reached too few')).length,
        {
          timeout: 20_000,
          interval: 50,
        },
      )
      .toBeGreaterThanOrEqual(2);
    expect(sim.stats().by_prompt[prompt]?.creates ?? 0).toBe(0);
    await expect.poll(async () => (await queue!.getJob(job))?.data.step, { timeout: 5_000 }).toBe('pending');
  }, 30_000);
});
