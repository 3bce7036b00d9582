import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, loadConfig } from '@vidqueue/core/runtime';
import { PROJECT_ROOT, startStack } from '@vidqueue/stack';
import { runCli } from './program.js';

/**
 * `pnpm demo`: a private Redis, the provider simulator (short generations), a worker and the API in
 * this process; then `vidq submit examples/prompts.csv --wait` against them; then everything stops.
 */
async function demo(): Promise<number> {
  // Ctrl-C stops the CLI cleanly, then the stack below stops as it does after a run.
  const interrupt = new AbortController();
  process.once('SIGINT', () => interrupt.abort());
  const scratch = await mkdtemp(join(tmpdir(), 'vidq-demo-'));
  const outDir = join(PROJECT_ROOT, '.data', 'demo');
  await mkdir(outDir, { recursive: true });
  const out = join(outDir, 'prompts.results.csv');
  // Only the stack's own settings from the environment; Redis and the provider are always local here.
  const config = loadConfig({
    PORT: '0',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
    STATUS_FIRST_CHECK_MS: '500',
    STATUS_INTERVAL_MS: '300',
    STATUS_SCHEDULE: 'fixed',
  });
  const logger = createLogger({ level: config.LOG_LEVEL });
  process.stderr.write(
    'starting a private Redis, the AI/ML API simulator (sample clips, no cost), a worker and the API…\n',
  );
  const stack = await startStack({
    config,
    logger,
    dataDir: scratch,
    env: { SIM_GENERATION_MS: '1500-4000', SIM_PORT: '0' },
  });
  try {
    process.stderr.write(`api at ${stack.apiUrl}\n$ vidq submit examples/prompts.csv --wait --out ${out}\n`);
    return await runCli(
      [
        '--api',
        stack.apiUrl,
        'submit',
        join(PROJECT_ROOT, 'examples', 'prompts.csv'),
        '--wait',
        '--out',
        out,
      ],
      { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: interrupt.signal },
    );
  } finally {
    await stack.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

process.exitCode = await demo();
