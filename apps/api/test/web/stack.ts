import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createAimlApiClient } from '@vidqueue/aimlapi';
import { createLogger, type Config } from '@vidqueue/core/runtime';
import { startSimulator, type RunningSimulator } from '@vidqueue/simulator';
import { LogSink } from '@vidqueue/testkit';
import { startWorker, type RunningWorker } from '@vidqueue/worker';
import { startApi, type RunningApi } from '../../src/server.js';
import { deletePrefix, testConfig } from '../helpers.js';

/** Where the browser tests write their screenshots (git-ignored). */
export const SCREENSHOTS = fileURLToPath(new URL('../../test-results/web/', import.meta.url));

export type WebStack = {
  config: Config;
  simulator: RunningSimulator;
  worker: RunningWorker;
  api: RunningApi;
  apiSink: LogSink;
  close(): Promise<void>;
};

/** The simulator (short generations), a worker and the API over the suite's Redis, on a prefix of their own. */
export async function startWebStack(env: Record<string, string> = {}): Promise<WebStack> {
  const simulator = await startSimulator({ generationMs: 1_000, queuedFraction: 0.2 });
  const config = testConfig({
    PORT: '0',
    AIMLAPI_KEY: 'sim-key',
    AIMLAPI_BASE_URL: simulator.url,
    STATUS_FIRST_CHECK_MS: '150',
    STATUS_INTERVAL_MS: '150',
    STATUS_SCHEDULE: 'fixed',
    RETRY_BASE_MS: '50',
    RETRY_MAX_MS: '200',
    WORKER_CONCURRENCY: '8',
    ...env,
  });
  const apiSink = new LogSink();
  const client = createAimlApiClient({ apiKey: 'sim-key', baseUrl: simulator.url, timeoutMs: 5_000 });
  const worker = await startWorker({
    config,
    logger: createLogger({ level: 'warn', destination: new LogSink() }),
    client,
  });
  const api = await startApi({ config, logger: createLogger({ level: 'info', destination: apiSink }) });
  return {
    config,
    simulator,
    worker,
    api,
    apiSink,
    async close() {
      await api.close();
      await worker.close();
      await simulator.close();
      await deletePrefix(config);
    },
  };
}

export type WebTestbed = { readonly stack: WebStack; readonly browser: Browser; readonly dir: string };

/**
 * A test file's stack, browser and scratch folder (`vidq-web-<name>-…`): started before its tests,
 * stopped after them, the folder removed. Read the fields inside tests (they are set by `beforeAll`).
 */
export function useWebTestbed(name: string, env: Record<string, string> = {}): WebTestbed {
  const held = {} as { stack?: WebStack; browser?: Browser; dir?: string };
  beforeAll(async () => {
    held.stack = await startWebStack(env);
    held.browser = await launchBrowser();
    held.dir = await mkdtemp(join(tmpdir(), `vidq-web-${name}-`));
  });
  afterAll(async () => {
    await held.browser?.close();
    await held.stack?.close();
    if (held.dir) await rm(held.dir, { recursive: true, force: true });
  });
  return held as WebTestbed;
}

export async function launchBrowser(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // A fresh profile per launch (playwright's default for launch()): no cookies or cache from before.
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/**
 * Waits until the page is at `path` (and loaded). A URL glob for `/batches/x` (two stars, then the path)
 * also matches the sign-in page's own address, `/sign-in?next=/batches/x`, and returns before the navigation.
 */
export function atPath(page: Page, path: string): Promise<void> {
  return page.waitForURL((url) => url.pathname === path);
}

/** Signs in on the page with the API token and waits until it has gone on to `next`. */
export async function signIn(page: Page, apiUrl: string, token: string, next: string): Promise<void> {
  await page.goto(`${apiUrl}/sign-in?next=${next}`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await atPath(page, next);
}

export function shot(page: Page, name: string): Promise<Buffer> {
  return page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });
}

/** Presses Tab until `selector` has the focus (at most 40 times): the control is reachable by keyboard. */
export async function tabTo(page: Page, selector: string): Promise<void> {
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(`document.activeElement?.matches(${JSON.stringify(selector)}) ?? false`)) return;
  }
  throw new Error(`${selector} is not reachable with Tab`);
}

/** Uploads a file of prompts through the API (as a script or the CLI would), returns the batch id. */
export async function uploadBatch(
  apiUrl: string,
  csv: string,
  headers: Record<string, string> = {},
): Promise<string> {
  const res = await fetch(`${apiUrl}/v1/batches`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', ...headers },
    body: csv,
  });
  if (res.status !== 202) throw new Error(`upload answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}
