import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

// The processes chaos runs. Another app is reached through its package (`@vidqueue/api` exports its
// process entry as `./main`), never by a relative path into its folder.
const require = createRequire(import.meta.url);

/** `apps/api`'s production entry point: loadConfig → createLogger → startApi → close-with-grace. */
export const API_MAIN = pathToFileURL(require.resolve('@vidqueue/api/main'));

/** `startWorker` from `@vidqueue/worker` with a short lock (see worker-child.ts). */
export const WORKER_CHILD = new URL('./worker-child.ts', import.meta.url);
