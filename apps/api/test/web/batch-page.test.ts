import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { readFile } from 'node:fs/promises';
import { launchBrowser, shot, startWebStack, tabTo, uploadBatch, type WebStack } from './stack.js';

// The batch page in a real browser against a real stack (simulator, worker, API), the API open on
// loopback (no API_TOKENS).
let stack: WebStack;
let browser: Browser;

const XSS = `"quoted" <script>window.__xss = 1</script><img src=x onerror="window.__xss = 2"> 🎬🦊`;

beforeAll(async () => {
  stack = await startWebStack();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

async function openBatch(id: string): Promise<Page> {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  await page.goto(`${stack.api.url}/batches/${id}`);
  await page.locator('#live').getByText('live').waitFor();
  // A mark that a reload or navigation would lose: rows must change under it.
  await page.evaluate('window.__mark = 42');
  return page;
}

const mark = (page: Page) => page.evaluate('window.__mark');
const rowStatus = (page: Page, row: number) =>
  page.locator(`#rows li[data-row="${row}"]`).getAttribute('data-status');

describe('batch page', () => {
  it('shows rows failing then completing after a retry, live, with playable videos and safe text', async () => {
    stack.simulator.configure({ generationMs: 1_500, faults: { fail: 1 } });
    const csv = `prompt,custom_id\n"${XSS.replaceAll('"', '""')}",xss-1\na red fox in snow,fox-1\na lighthouse at dusk,light-1\n`;
    const id = await uploadBatch(stack.api.url, csv);
    const page = await openBatch(id);

    // Every row fails (the simulator was told to), and the page shows it without a reload.
    await expect
      .poll(() => page.locator('#rows li[data-status="failed"]').count(), { timeout: 20_000 })
      .toBe(3);
    await expect(page.locator('#rows li[data-row="2"] .reason').textContent()).resolves.toMatch(
      /generation_failed/,
    );
    // The counts come with the server-sent events, the rows from their own read: either may be first.
    await expect
      .poll(() => page.locator('#counts li[data-status="failed"]').textContent(), { timeout: 10_000 })
      .toBe('failed: 3');
    expect(await mark(page)).toBe(42);

    // The prompt with quotes, markup and emoji is shown as text, and none of it ran.
    await expect(page.locator('#rows li[data-row="1"] .prompt').textContent()).resolves.toBe(XSS);
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    expect(await page.locator('#rows script, #rows img').count()).toBe(0);
    await shot(page, 'batch-failed');

    // Retry by keyboard: Tab to the button, Enter.
    stack.simulator.configure({ generationMs: 800, faults: { fail: 0 } });
    await tabTo(page, '#retry');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.locator('#rows li[data-status="completed"]').count(), { timeout: 20_000 })
      .toBe(3);
    expect(await mark(page)).toBe(42);
    await expect(page.locator('#progress-text').textContent()).resolves.toBe('3 of 3');
    await expect(page.locator('#rows li[data-row="2"] .meta').textContent()).resolves.toMatch(/attempt 2/);

    // The simulator's sample clip loads in the <video> (metadata at least).
    const video = page.locator('#rows li[data-row="2"] video');
    await expect
      .poll(() => video.evaluate((v) => (v as unknown as { readyState: number }).readyState), {
        timeout: 10_000,
      })
      .toBeGreaterThanOrEqual(1);
    expect(await video.getAttribute('src')).toMatch(new RegExp(`^${stack.simulator.url}/files/`));
    if (process.env.VIDQ_DOCS_SCREENSHOT)
      await page.screenshot({ path: process.env.VIDQ_DOCS_SCREENSHOT, fullPage: true });
    await shot(page, 'batch-completed');
    // At phone width the grid is one column and nothing overflows sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await shot(page, 'batch-phone');
    await page.setViewportSize({ width: 1280, height: 900 });

    // Filter by keyboard: the status select, then the search field and Enter.
    await tabTo(page, '#search');
    await page.keyboard.type('FOX-1');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#rows li').count()).toBe(1);
    expect(await rowStatus(page, 2)).toBe('completed');
    await page.locator('#search').fill('');
    await tabTo(page, '#status-filter');
    await page.keyboard.press('End'); // the last status in the list: cancelled
    await expect.poll(() => page.locator('#rows-summary').textContent()).toBe('No rows match.');

    // Downloads: the results as CSV and JSONL, and the videos as a zip.
    const csvDownload = page.waitForEvent('download');
    await page.locator('#dl-csv').click();
    const results = await readFile(await (await csvDownload).path(), 'utf8');
    expect(results.split('\n')[0]).toMatch(/^\uFEFFrow,custom_id,status,video_url/);
    expect(results).toContain('fox-1,completed');
    const jsonlDownload = page.waitForEvent('download');
    await page.locator('#dl-jsonl').click();
    const lines = (await readFile(await (await jsonlDownload).path(), 'utf8')).trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { status: string }).status)).toEqual([
      'completed',
      'completed',
      'completed',
    ]);
    const zipDownload = page.waitForEvent('download');
    await page.locator('#dl-zip').click();
    const zip = await readFile(await (await zipDownload).path());
    expect(zip.subarray(0, 4).toString('latin1')).toBe('PK\u0003\u0004');
    const text = zip.toString('latin1');
    for (const name of ['1-xss-1.mp4', '2-fox-1.mp4', '3-light-1.mp4']) expect(text).toContain(name);
    expect(text.split('ftyp').length - 1).toBe(3); // three MP4s inside
    await page.context().close();
  });

  it('cancels a running batch from the page', async () => {
    stack.simulator.configure({ generationMs: 30_000, faults: { fail: 0 } });
    const prompts = Array.from({ length: 30 }, (_, i) => `a slow prompt number ${i + 1}`);
    const id = await uploadBatch(stack.api.url, `prompt\n${prompts.join('\n')}\n`);
    const page = await openBatch(id);
    await page.locator('#cancel').click();
    await expect
      .poll(() => page.locator('#batch-status').textContent(), { timeout: 15_000 })
      .toBe('cancelled');
    await expect
      .poll(() => page.locator('#rows li[data-status="cancelled"]').count(), { timeout: 15_000 })
      .toBeGreaterThan(0);
    expect(await mark(page)).toBe(42);
    await shot(page, 'batch-cancelled');

    // The list of batches shows both, newest first.
    await page.goto(`${stack.api.url}/batches`);
    const rows = page.locator('#batches tbody tr');
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(2);
    await expect(rows.first().locator('th a').textContent()).resolves.toBe(id);
    await expect(rows.first().locator('.badge').textContent()).resolves.toBe('cancelled');
    await shot(page, 'batches');
    await page.context().close();
  });
});
