import { createClient } from '../src/index.js';
import { clientContract } from './contract.js';

clientContract('redis', {
  make: (stack) => createClient({ redisUrl: stack.redisUrl!, prefix: stack.config.QUEUE_PREFIX }),
  unreachable: () => createClient({ redisUrl: 'redis://127.0.0.1:1', redisTimeoutMs: 500 }),
});
