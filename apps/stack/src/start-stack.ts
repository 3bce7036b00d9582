import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createAimlApiClient, type Catalogue } from '@vidqueue/aimlapi';
import { startApi, type RunningApi } from '@vidqueue/api';
import type { Config, Logger } from '@vidqueue/core/runtime';
import { startLocalRedis, type LocalRedis } from '@vidqueue/redis-server';
import { loadSimulatorConfig, startSimulator, type RunningSimulator } from '@vidqueue/simulator';
import { startWorker, type RunningWorker } from '@vidqueue/worker';
import { localDashboardPassword } from './dashboard-password.js';
import { localWebhookSecret } from './webhook-secret.js';

/** The key the embedded worker uses with the embedded simulator (the simulator accepts any key). */
const SIMULATOR_KEY = 'simulator-local-key';

export type StackOptions = {
  config: Config;
  logger: Logger;
  /** Where local state lives: `redis/`, `dashboard-password`, `webhook-secret` and `videos/`. */
  dataDir: string;
  env?: NodeJS.ProcessEnv;
  /** The models the API and the worker use (default: the shipped catalogue). */
  catalogue?: Catalogue;
};

export type RunningStack = {
  apiUrl: string;
  redisUrl: string;
  simulatorUrl?: string;
  /** Stops in dependency order: API, worker, simulator, Redis. */
  close(): Promise<void>;
};

/**
 * Starts what a laptop needs to use vidqueue: a private Redis unless REDIS_URL is set, the provider
 * simulator unless AIMLAPI_KEY is set, then the API and one worker, all in this process tree.
 */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  const { logger, dataDir } = options;
  let config = { ...options.config };
  const stops: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (err) {
        logger.error({ err }, 'stack: error while stopping');
      }
    }
  };

  try {
    let redis: LocalRedis | undefined;
    if (!config.REDIS_URL) {
      redis = await startLocalRedis({ dir: join(dataDir, 'redis'), appendOnly: true });
      stops.push(() => redis!.stop());
      config = { ...config, REDIS_URL: redis.url };
      logger.info(
        { url: redis.url, dir: join(dataDir, 'redis') },
        'started a private redis-server (REDIS_URL unset)',
      );
    }

    let simulator: RunningSimulator | undefined;
    if (!config.AIMLAPI_KEY) {
      const simConfig = loadSimulatorConfig(options.env ?? {});
      const { host, port, logLevel: _l, logPretty: _p, ...behaviour } = simConfig;
      simulator = await startSimulator({
        ...behaviour,
        host,
        port,
        logger: logger.child({ component: 'simulator' }),
      });
      stops.push(() => simulator!.close());
      config = { ...config, AIMLAPI_KEY: SIMULATOR_KEY, AIMLAPI_BASE_URL: simulator.url };
      const banner = '*'.repeat(78);
      logger.warn(
        { simulator: simulator.url, generationMs: behaviour.generationMs },
        `\n${banner}\n  SIMULATOR MODE: AIMLAPI_KEY is not set, so videos come from the local AI/ML API simulator\n  at ${simulator.url}: sample clips, no cost. Set AIMLAPI_KEY to use the real provider.\n${banner}`,
      );
    }

    if (!config.DASHBOARD_PASSWORD) {
      const file = join(dataDir, 'dashboard-password');
      config = { ...config, DASHBOARD_PASSWORD: localDashboardPassword(file) };
      logger.info(
        { user: config.DASHBOARD_USER, passwordFile: file },
        'dashboard password generated (read it from the file)',
      );
    }

    // Archive finished videos on this machine unless STORAGE_URL says otherwise (`none` turns it off).
    if (!options.env?.STORAGE_URL) {
      const videos = join(dataDir, 'videos');
      config = { ...config, STORAGE_URL: pathToFileURL(videos).href };
      logger.info({ dir: videos }, 'finished videos are archived in the data folder (STORAGE_URL unset)');
    }

    if (!config.WEBHOOK_SECRET) {
      const file = join(dataDir, 'webhook-secret');
      config = { ...config, WEBHOOK_SECRET: [localWebhookSecret(file)] };
      logger.info(
        { secretFile: file },
        'webhook signing secret generated (read it from the file; receivers verify with it)',
      );
    }

    const client = createAimlApiClient({
      apiKey: config.AIMLAPI_KEY!,
      baseUrl: config.AIMLAPI_BASE_URL,
      timeoutMs: config.AIMLAPI_TIMEOUT_MS,
    });
    const { catalogue } = options;
    const worker: RunningWorker = await startWorker({
      config,
      logger,
      client,
      ...(catalogue && { catalogue }),
    });
    stops.push(() => worker.close());
    const api: RunningApi = await startApi({ config, logger, ...(catalogue && { catalogue }) });
    stops.push(() => api.close());

    return { apiUrl: api.url, redisUrl: config.REDIS_URL!, simulatorUrl: simulator?.url, close };
  } catch (err) {
    await close();
    throw err;
  }
}
