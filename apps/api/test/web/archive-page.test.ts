import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, shot, signIn, startWebStack, uploadBatch, type WebStack } from './stack.js';

// The page with archiving on (STORAGE_URL) and API_TOKENS: a completed row plays our archived copy
// through GET /v1/videos/:id/content with the session cookie, also once the provider's file has expired,
// and the zip is made from the archive.
const TOKEN = 'web-archive-token-3b7d';
const bearer = { authorization: `Bearer ${TOKEN}` };
let stack: WebStack;
let browser: Browser;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vidq-web-archive-'));
  stack = await startWebStack({ API_TOKENS: TOKEN, STORAGE_URL: pathToFileURL(dir).href });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  await rm(dir, { recursive: true, force: true });
});

type Row = { row: number; video_url: string | null; provider_video_url: string | null };
type ArchivedRow = Row & { archive: { status: string; sha256: string | null } | null };

const videoSrc = (page: Page, row: number) =>
  page.locator(`#rows li[data-row="${row}"] video`).getAttribute('src');
const readyState = (page: Page, row: number) =>
  page
    .locator(`#rows li[data-row="${row}"] video`)
    .evaluate((v) => (v as unknown as { readyState: number }).readyState);

describe('batch page with archived videos', () => {
  it('swaps in our copy live once archived, plays it with the session cookie after the provider file expired, zips it', async () => {
    stack.simulator.configure({ generationMs: 400, faults: { fail: 0 } });
    // Archive jobs wait (the queue is paused) until the rows have completed with the provider's URL.
    const archiveQueue = stack.api.app.archive.queue;
    await archiveQueue.pause();
    const id = await uploadBatch(
      stack.api.url,
      'prompt,custom_id\na red fox in snow,fox\na lighthouse at dusk,light\n',
      bearer,
    );
    const content = (row: number) => `${stack.api.url}/v1/videos/${id}-${row}/content`;

    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    await signIn(page, stack.api.url, TOKEN, `/batches/${id}`);
    await page.locator('#live').getByText('live').waitFor();
    await page.evaluate('window.__mark = 7');

    // Completed, not archived yet: the provider's URL plays.
    await expect
      .poll(() => page.locator('#rows li[data-status="completed"]').count(), { timeout: 20_000 })
      .toBe(2);
    expect(await videoSrc(page, 1)).toMatch(new RegExp(`^${stack.simulator.url}/files/`));
    // A download link only for our own copy: never a link to another site.
    expect(await page.locator('#rows a.download').count()).toBe(0);
    await archiveQueue.resume();
    // Each row's video becomes our content URL without a reload (the archive's settling is announced).
    for (const row of [1, 2]) {
      await expect.poll(() => videoSrc(page, row), { timeout: 20_000 }).toBe(content(row));
    }
    expect(await page.evaluate('window.__mark')).toBe(7);
    const rows = await fetch(`${stack.api.url}/v1/batches/${id}/rows`, { headers: bearer });
    const page1 = (await rows.json()) as { rows: ArchivedRow[] };
    expect(page1.rows.map((r) => [r.video_url, r.archive?.status])).toEqual([
      [content(1), 'archived'],
      [content(2), 'archived'],
    ]);
    expect(page1.rows[0]!.provider_video_url).toMatch(new RegExp(`^${stack.simulator.url}/files/`));

    // The provider's links expire; a fresh page still plays the rows, from our copy, with the cookie only.
    stack.simulator.configure({ filesExpireMs: 1 });
    try {
      expect((await fetch(page1.rows[0]!.provider_video_url!)).status).toBe(410);
      expect((await fetch(content(1))).status).toBe(401); // behind the API's auth
      await page.reload();
      for (const row of [1, 2]) {
        await expect.poll(() => videoSrc(page, row), { timeout: 10_000 }).toBe(content(row));
        await expect.poll(() => readyState(page, row), { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
      }
      await shot(page, 'batch-archived');

      const zipDownload = page.waitForEvent('download');
      await page.locator('#dl-zip').click();
      const zip = await readFile(await (await zipDownload).path());
      const text = zip.toString('latin1');
      for (const name of ['1-fox.mp4', '2-light.mp4']) expect(text).toContain(name);
      expect(text).not.toContain('.error.txt');
      expect(text.split('ftyp').length - 1).toBe(2);
      // The archived bytes are in the zip whole (entries are stored, not deflated).
      const archived = Buffer.from(await (await fetch(content(1), { headers: bearer })).arrayBuffer());
      expect(zip.includes(archived)).toBe(true);
      expect(createHash('sha256').update(archived).digest('hex')).toBe(page1.rows[0]!.archive!.sha256);

      // One video: the row's own link, by keyboard, downloads our copy under the row's name.
      const link = page.getByRole('link', { name: 'Download the video of row 1' });
      expect(await link.getAttribute('href')).toBe(`/v1/videos/${id}-1/content`);
      await link.focus();
      const oneDownload = page.waitForEvent('download');
      await page.keyboard.press('Enter');
      expect((await oneDownload).suggestedFilename()).toBe('1-fox.mp4');
      expect((await readFile(await (await oneDownload).path())).equals(archived)).toBe(true);
    } finally {
      stack.simulator.configure({ filesExpireMs: 0 });
    }
    await context.close();
  }, 60_000);
});
