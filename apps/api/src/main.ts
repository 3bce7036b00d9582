import closeWithGrace from 'close-with-grace';
import {
  ConfigError,
  createLogger,
  loadConfig,
  loadOrExit,
  loadStartupCatalogue,
} from '@vidqueue/core/runtime';
import { startApi, UnsafeBindError } from './server.js';

// loadConfig → createLogger → catalogue (the local override when valid; an unknown DEFAULT_MODEL
// exits 1) → startApi → close-with-grace.
const config = loadOrExit(() => loadConfig(), ConfigError);
const logger = createLogger({ level: config.LOG_LEVEL, pretty: config.LOG_PRETTY, name: 'api' });
const { catalogue } = loadOrExit(() => loadStartupCatalogue(config, { logger }), ConfigError);

try {
  const api = await startApi({ config, logger, catalogue });
  closeWithGrace({ delay: 10_000, logger }, async ({ err, signal }) => {
    if (err) logger.error({ err }, 'closing after an error');
    else logger.info({ signal }, 'closing');
    await api.close();
  });
} catch (err) {
  if (err instanceof UnsafeBindError) logger.fatal(err.message);
  else logger.fatal({ err }, 'api failed to start');
  process.exit(1);
}
