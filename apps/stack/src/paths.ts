import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The checkout's top folder (apps/stack/src → ../../..). */
export const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Where `pnpm start` keeps local state (Redis data, generated dashboard password). Git-ignored. */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.VIDQ_DATA_DIR ?? join(PROJECT_ROOT, '.data');
}
