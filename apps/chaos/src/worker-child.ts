// A worker process for the chaos run: apps/worker's main.ts with shorter lock timings, so the jobs of
// a SIGKILLed worker come back through stalled-job recovery in seconds instead of a minute.
import closeWithGrace from 'close-with-grace';
import { createAimlApiClient } from '@vidqueue/aimlapi';
import { createLogger, loadConfig } from '@vidqueue/core/runtime';
import { startWorker } from '@vidqueue/worker';

const config = loadConfig();
const logger = createLogger({ level: config.LOG_LEVEL, name: 'vidq-worker' });
const client = createAimlApiClient({
  apiKey: config.AIMLAPI_KEY ?? '',
  baseUrl: config.AIMLAPI_BASE_URL,
  timeoutMs: config.AIMLAPI_TIMEOUT_MS,
});
const lockDuration = Number(process.env.CHAOS_LOCK_MS ?? 4_000);
const running = await startWorker({
  config,
  logger,
  client,
  workerOptions: { lockDuration, stalledInterval: Math.round(lockDuration / 2) },
});
closeWithGrace({ delay: config.AIMLAPI_TIMEOUT_MS + 5_000, logger }, async ({ err }) => {
  if (err) logger.error({ err }, 'shutting down after an error');
  await running.close();
});
