import closeWithGrace from 'close-with-grace';
import { createLogger, loadOrExit } from '@vidqueue/core/runtime';
import { SimulatorConfigError, loadSimulatorConfig } from './env.js';
import { startSimulator } from './start.js';

/** Standalone simulator: loadSimulatorConfig → createLogger → startSimulator → close with grace. */
async function main(): Promise<void> {
  const config = loadOrExit(() => loadSimulatorConfig(), SimulatorConfigError);
  const logger = createLogger({ level: config.logLevel, pretty: config.logPretty, name: 'vidq-simulator' });
  const sim = await startSimulator({ ...config, logger });
  const { apiKeys, host: _host, port: _port, logLevel: _l, logPretty: _p, ...behaviour } = config;
  logger.info(
    { url: sim.url, port: sim.port, settings: { ...behaviour, apiKeys: apiKeys.length } },
    `AI/ML API simulator listening on ${sim.url}`,
  );

  closeWithGrace({ delay: 10_000, logger }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'simulator: shutting down after an error');
    else logger.info({ signal }, 'simulator: shutting down');
    await sim.close();
  });
}

await main();
