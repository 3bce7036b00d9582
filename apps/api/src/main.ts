import closeWithGrace from 'close-with-grace';
import { ConfigError, createLogger, loadConfig, loadOrExit } from '@vidqueue/core/runtime';
import { startApi, UnsafeBindError } from './server.js';

// loadConfig → createLogger → startApi → close-with-grace.
const config = loadOrExit(() => loadConfig(), ConfigError);
const logger = createLogger({ level: config.LOG_LEVEL, pretty: config.LOG_PRETTY, name: 'api' });

try {
  const api = await startApi({ config, logger });
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
