import closeWithGrace from 'close-with-grace';
import { createAimlApiClient } from '@vidqueue/aimlapi';
import {
  ConfigError,
  createLogger,
  loadConfig,
  loadOrExit,
  loadStartupCatalogue,
} from '@vidqueue/core/runtime';
import { startWorker } from './start-worker.js';

/**
 * Process wiring: loadConfig → createLogger → catalogue (the local override when valid; an unknown
 * DEFAULT_MODEL exits 1) → provider client → startWorker → close with grace.
 */
async function main(): Promise<void> {
  const config = loadOrExit(() => loadConfig(), ConfigError);
  const logger = createLogger({ level: config.LOG_LEVEL, pretty: config.LOG_PRETTY, name: 'vidq-worker' });
  const { catalogue } = loadOrExit(() => loadStartupCatalogue(config, { logger }), ConfigError);
  if (!config.AIMLAPI_KEY) {
    logger.fatal(
      'AIMLAPI_KEY is not set: the worker needs an AI/ML API key (or point AIMLAPI_BASE_URL at the simulator and set any key).',
    );
    process.exit(1);
  }
  const client = createAimlApiClient({
    apiKey: config.AIMLAPI_KEY,
    baseUrl: config.AIMLAPI_BASE_URL,
    timeoutMs: config.AIMLAPI_TIMEOUT_MS,
  });
  const running = await startWorker({ config, logger, client, catalogue });

  // Active jobs are short (one create or one status call, bounded by AIMLAPI_TIMEOUT_MS): give them
  // that long to finish their step before the process is cut off.
  closeWithGrace({ delay: config.AIMLAPI_TIMEOUT_MS + 10_000, logger }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'shutting down after an error');
    else logger.info({ signal }, 'shutting down');
    await running.close();
  });
}

await main();
