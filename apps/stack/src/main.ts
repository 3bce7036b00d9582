import closeWithGrace from 'close-with-grace';
import { join } from 'node:path';
import {
  ConfigError,
  createLogger,
  loadConfig,
  loadOrExit,
  loadStartupCatalogue,
} from '@vidqueue/core/runtime';
import { dataDir } from './paths.js';
import { startStack } from './start-stack.js';

/**
 * `pnpm start`: loadConfig → createLogger → catalogue (CATALOGUE_FILE, default `<data dir>/catalogue.json`,
 * when present and valid; an unknown DEFAULT_MODEL exits 1 before anything starts) → startStack → close
 * with grace on SIGINT/SIGTERM.
 */
async function main(): Promise<void> {
  const config = loadOrExit(() => loadConfig(), ConfigError);
  const logger = createLogger({ level: config.LOG_LEVEL, pretty: config.LOG_PRETTY, name: 'vidq' });
  const dir = dataDir();
  const { catalogue } = loadOrExit(
    () => loadStartupCatalogue(config, { logger, defaultFile: join(dir, 'catalogue.json') }),
    ConfigError,
  );
  const stack = await startStack({ config, logger, dataDir: dir, env: process.env, catalogue });
  logger.info(
    { api: stack.apiUrl, dashboard: `${stack.apiUrl}/admin/queues`, docs: `${stack.apiUrl}/docs` },
    `vidqueue is up: try  curl -X POST ${stack.apiUrl}/v1/videos -H 'content-type: application/json' -d '{"prompt":"a red fox in snow"}'`,
  );
  closeWithGrace({ delay: config.AIMLAPI_TIMEOUT_MS + 15_000, logger }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'shutting down after an error');
    else logger.info({ signal }, 'shutting down');
    await stack.close();
  });
}

await main();
