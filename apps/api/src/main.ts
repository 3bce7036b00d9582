import closeWithGrace from 'close-with-grace';
import {
  ConfigError,
  createLogger,
  loadConfig,
  loadOrExit,
  loadStartupCatalogue,
} from '@vidqueue/core/runtime';
import { startTracing } from '@vidqueue/tracing';
import { startApi, UnsafeBindError } from './server.js';

// loadConfig → createLogger → catalogue (the local override when valid; an unknown DEFAULT_MODEL
// exits 1) → startTracing (only with OTEL_EXPORTER_OTLP_ENDPOINT) → startApi → close-with-grace.
const config = loadOrExit(() => loadConfig(), ConfigError);
const logger = createLogger({ level: config.LOG_LEVEL, pretty: config.LOG_PRETTY, name: 'api' });
const { catalogue } = loadOrExit(() => loadStartupCatalogue(config, { logger }), ConfigError);
// Before the app: its queues pick their telemetry up when they are made.
const tracing = startTracing({
  endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
  serviceName: config.OTEL_SERVICE_NAME ?? 'vidqueue-api',
});
if (tracing) logger.info('tracing on: spans go to OTEL_EXPORTER_OTLP_ENDPOINT');

try {
  const api = await startApi({ config, logger, catalogue });
  closeWithGrace({ delay: config.SHUTDOWN_GRACE_MS, logger }, async ({ err, signal }) => {
    if (err) logger.error({ err }, 'closing after an error');
    else logger.info({ signal }, 'closing');
    await api.close();
    await tracing?.shutdown(); // flushes the spans of the last requests
  });
} catch (err) {
  if (err instanceof UnsafeBindError) logger.fatal(err.message);
  else logger.fatal({ err }, 'api failed to start');
  await tracing?.shutdown();
  process.exit(1);
}
