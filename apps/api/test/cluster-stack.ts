import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { createLogger, loadConfig } from '@vidqueue/core/runtime';
import { startSimulator, type RunningSimulator } from '@vidqueue/simulator';
import { LogSink, spawnTs, startTestCluster, type Child, type TestCluster } from '@vidqueue/testkit';
import { startApi, type RunningApi } from '../src/server.js';

const WORKER_MAIN = pathToFileURL(createRequire(import.meta.url).resolve('@vidqueue/worker/main'));

export type ClusterStack = {
  cluster: TestCluster;
  sim: RunningSimulator;
  api: RunningApi;
  /** The API's log lines. */
  apiSink: LogSink;
  /** Worker processes from their own main, each ready. */
  workers: Child[];
  /** SIGTERMs the workers and waits for them, then closes the API and simulator and stops the cluster. */
  stop(): Promise<void>;
};

/**
 * The whole product on a real 3-master Redis Cluster, configured only by the environment
 * (REDIS_CLUSTER_NODES, REDIS_PASSWORD, the default `{vidq}` prefix, short timings, plus `env`): the API
 * in this process, one worker process per entry of `workers` (its own env on top), the simulator.
 */
export async function startClusterStack(options: {
  seed: number;
  env: Record<string, string>;
  workers: Record<string, string>[];
}): Promise<ClusterStack> {
  const cluster = await startTestCluster();
  const sim = await startSimulator({
    port: 0,
    generationMs: '200-500',
    queuedFraction: 0.2,
    seed: options.seed,
  });
  const env = {
    ...cluster.env,
    PORT: '0',
    AIMLAPI_BASE_URL: sim.url,
    STATUS_FIRST_CHECK_MS: '100',
    STATUS_INTERVAL_MS: '100',
    RETRY_BASE_MS: '20',
    RETRY_MAX_MS: '100',
    LOG_LEVEL: 'info',
    ...options.env,
  };
  const workers = options.workers.map((extra) => spawnTs(WORKER_MAIN, { ...env, ...extra }));
  const apiSink = new LogSink();
  const api = await startApi({ config: loadConfig(env), logger: createLogger({ destination: apiSink }) });
  await Promise.all(workers.map((w) => w.waitForLine('worker ready')));
  return {
    cluster,
    sim,
    api,
    apiSink,
    workers,
    async stop() {
      for (const child of workers) child.process.kill('SIGTERM');
      await Promise.all(workers.map((c) => c.exited()));
      await api.close();
      await sim.close();
      await cluster.stop();
    },
  };
}
