import { createClient } from '../src/index.js';
import { clientContract } from './contract.js';

clientContract('redis', {
  make: (stack) =>
    createClient({
      redisUrl: stack.redisUrl!,
      prefix: stack.config.QUEUE_PREFIX,
      // The stack's provider: prices when the shared list is missing, and the balance.
      aimlapi: { baseUrl: stack.simulator.url, apiKey: stack.config.AIMLAPI_KEY! },
    }),
  unreachable: () => createClient({ redisUrl: 'redis://127.0.0.1:1', redisTimeoutMs: 500 }),
});
