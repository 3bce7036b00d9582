import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startLocalRedis, type LocalRedis } from '@vidqueue/redis-server';
import { launchBrowser, shot, signIn, startWebStack, type WebStack } from './stack.js';

// The page on its own Redis, which the test freezes (SIGSTOP): no Redis another test uses is touched.
const TOKEN = 'web-token-5d0b9e71';
const dir = mkdtempSync(join(tmpdir(), 'vidq-redis-down-page-'));
let redis: LocalRedis;
let stack: WebStack;
let browser: Browser;

beforeAll(async () => {
  redis = await startLocalRedis({ dir, appendOnly: false });
  stack = await startWebStack({ API_TOKENS: TOKEN, REDIS_URL: redis.url });
  browser = await launchBrowser();
}, 30_000);

afterAll(async () => {
  redis?.process.kill('SIGCONT');
  await browser?.close();
  await stack?.close();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('answers a page with a page while Redis does not answer, not a JSON body; asks for no favicon', async () => {
  const logged = stack.apiSink.raw.length;
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, stack.api.url, TOKEN, '/batches');
  // Redis stops answering (the process frozen): the session read gives up after its guard's time limit.
  redis.process.kill('SIGSTOP');
  try {
    const res = await page.goto(`${stack.api.url}/batches`);
    expect(res?.status()).toBe(503);
    expect(res?.headers()['content-type']).toMatch(/^text\/html/);
    expect(res?.headers()['retry-after']).toBe('5');
    expect(res?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    await page.getByRole('heading', { name: 'vidqueue is unavailable for a moment' }).waitFor();
    await shot(page, 'unavailable');
    // The API's own routes still answer JSON.
    const api = await page.request.get(`${stack.api.url}/v1/batches`);
    expect(api.status()).toBe(503);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('REDIS_UNAVAILABLE');
  } finally {
    redis.process.kill('SIGCONT');
  }
  await page.getByRole('link', { name: 'Try again' }).click();
  await page.getByRole('heading', { name: 'Batches', exact: true }).waitFor();
  await context.close();
  // Every page names its icon (none): the browser asks for no /favicon.ico, which answered 401.
  expect(stack.apiSink.raw.slice(logged).join('\n')).not.toContain('/favicon.ico');
}, 60_000);
