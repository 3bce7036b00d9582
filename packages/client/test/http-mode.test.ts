import { createClient } from '../src/index.js';
import { API_TOKEN } from './harness.js';
import { clientContract } from './contract.js';

clientContract('http', {
  make: (stack) =>
    createClient({ apiUrl: stack.api.url, token: API_TOKEN, poll: { initialMs: 100, maxMs: 300 } }),
  unreachable: () => createClient({ apiUrl: 'http://127.0.0.1:1', token: API_TOKEN }),
});
