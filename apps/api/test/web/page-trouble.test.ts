import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useWebTestbed, shot, uploadBatch } from './stack.js';

// The pages when something is off: an address with no batch, a read that failed, the API out of reach,
// a file of the wrong kind; and the list of batches over more than one page.
const web = useWebTestbed('trouble');

const alertText = (page: Page) =>
  page.locator('#alert').evaluate((a) => {
    const region = a as unknown as { hidden: boolean; textContent: string | null };
    return region.hidden ? null : region.textContent;
  });

describe('the pages when something is off', () => {
  it('says a batch does not exist instead of "reconnecting…" forever, the id shown as text', async () => {
    const page = await web.browser.newPage();
    const id = 'bat_<img src=x onerror="window.__xss=1">';
    await page.goto(`${web.stack.api.url}/batches/${encodeURIComponent(id)}`);
    await expect
      .poll(() => alertText(page))
      .toMatch(/^There is no batch bat_<img src=x onerror="window.__xss=1">/);
    await expect(page.locator('#live').textContent()).resolves.toBe('not live');
    await expect(page.locator('#batch-id').textContent()).resolves.toBe(id);
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    expect(await page.locator('main img').count()).toBe(0);
    // No Retry, Cancel or Results for a batch that is not there.
    for (const name of ['Cancel the batch', 'Retry failed rows', 'Results (CSV)']) {
      expect(await page.getByRole(name.startsWith('Results') ? 'link' : 'button', { name }).isVisible()).toBe(
        false,
      );
    }
    await shot(page, 'batch-not-found');
    await page.close();
  });

  it('clears a failed read’s message once a read succeeds again', async () => {
    web.stack.simulator.configure({ generationMs: 300, faults: { fail: 0 } });
    const id = await uploadBatch(web.stack.api.url, 'prompt\na fox\na cat\n');
    const page = await web.browser.newPage();
    await page.goto(`${web.stack.api.url}/batches/${id}`);
    await page.locator('#live').getByText('live').waitFor();
    // The next read of the rows answers as the API does while Redis is down; the one after goes through.
    let failed = 0;
    await page.route('**/rows?*', async (route) => {
      if (failed++ > 0) return route.continue();
      await route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'REDIS_UNAVAILABLE', message: 'The queue store is down' } }),
      });
    });
    await page.locator('#search-submit').click();
    await expect.poll(() => alertText(page)).toBe('The queue store is down');
    await page.locator('#search-submit').click();
    await expect.poll(() => alertText(page)).toBeNull();
    await expect.poll(() => page.locator('#rows li').count()).toBe(2);
    await page.close();
  });

  it('gives the Retry button back when a retry failed, and retries with it', async () => {
    web.stack.simulator.configure({ generationMs: 200, faults: { fail: 1 } });
    const id = await uploadBatch(web.stack.api.url, 'prompt\na fox\n');
    const page = await web.browser.newPage();
    await page.goto(`${web.stack.api.url}/batches/${id}`);
    const retry = page.getByRole('button', { name: 'Retry failed rows' });
    await expect.poll(() => retry.isEnabled(), { timeout: 15_000 }).toBe(true);
    web.stack.simulator.configure({ faults: { fail: 0 } });
    await page.route('**/retry', (route) => route.abort('connectionreset'), { times: 1 });
    await retry.click();
    await expect.poll(() => alertText(page)).toMatch(/^The server could not be reached/);
    await expect.poll(() => retry.isEnabled()).toBe(true);
    await retry.click();
    await expect.poll(() => alertText(page)).toBeNull();
    await expect
      .poll(() => page.locator('#rows li[data-status="completed"]').count(), { timeout: 15_000 })
      .toBe(1);
    await page.close();
  });

  it('says the server is out of reach, and that a file of another kind is not a prompt file', async () => {
    const page = await web.browser.newPage();
    await page.goto(web.stack.api.url);
    await page.locator('#batch-model option').first().waitFor({ state: 'attached' });
    const csv = join(web.dir, 'prompts.csv');
    await writeFile(csv, 'prompt\na fox\n');
    await page.route('**/v1/batches?*', (route) => route.abort('connectionrefused'));
    await page.locator('#file').setInputFiles(csv);
    await expect
      .poll(() => page.locator('#check').textContent())
      .toBe('The server could not be reached. Check that vidqueue is running, then try again.');
    await page.unroute('**/v1/batches?*');

    // Saved by a spreadsheet in its local encoding: the API's message (it names the line) once.
    const latin1 = join(web.dir, 'latin1.csv');
    await writeFile(latin1, Buffer.from('prompt\na caf\xe9 in Paris\n', 'latin1'));
    await page.locator('#file').setInputFiles(latin1);
    await expect
      .poll(() => page.locator('#check .reason').textContent())
      .toBe('the file is not valid UTF-8: byte 0xE9 at byte offset 12 (line 2); save it as UTF-8');

    const sheet = join(web.dir, 'prompts<b>.xlsx');
    await writeFile(sheet, Buffer.from('PK\u0003\u0004 not really a spreadsheet'));
    await page.locator('#file').setInputFiles(sheet);
    await expect
      .poll(() => page.locator('#check .reason').textContent())
      .toMatch(/^prompts<b>\.xlsx is not a CSV or JSONL file\. Choose a \.csv file/);
    expect(await page.locator('#submit-batch').isDisabled()).toBe(true);
    await page.close();
  });

  it('takes a file dropped anywhere on the page, not only on the drop zone', async () => {
    const page = await web.browser.newPage();
    await page.goto(web.stack.api.url);
    await page.locator('#batch-model option').first().waitFor({ state: 'attached' });
    const url = page.url();
    // What the browser does when a file is dropped on the heading, outside the drop zone.
    const dropped = await page.evaluate(`(() => {
      const data = new DataTransfer();
      data.items.add(new File(['prompt\\na fox\\na cat\\n'], 'dropped.csv', { type: 'text/csv' }));
      const heading = document.querySelector('h1');
      const drag = (type) => new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true });
      heading.dispatchEvent(drag('dragover'));
      return heading.dispatchEvent(drag('drop'));
    })()`);
    expect(dropped).toBe(false); // cancelled: the browser does not open the file instead of the page
    await expect.poll(() => page.locator('#estimate').textContent()).toMatch(/^2 rows · estimated cost/);
    expect(page.url()).toBe(url);
    await page.close();
  });

  it('lists the batches a page at a time: "Show older batches" only while there are older ones', async () => {
    const page = await web.browser.newPage();
    const first = await uploadBatch(web.stack.api.url, 'prompt\na heron\n');
    await page.goto(`${web.stack.api.url}/batches`);
    await expect.poll(() => page.locator('#batches tbody tr').count()).toBeGreaterThanOrEqual(1);
    // A few batches, one page: no button (it would read the first page again).
    expect(await page.locator('#more').isVisible()).toBe(false);

    const ids = [first];
    for (let i = 0; i < 25; i++) ids.push(await uploadBatch(web.stack.api.url, `prompt\nheron ${i}\n`));
    await page.reload();
    await expect.poll(() => page.locator('#batches tbody tr').count()).toBe(25);
    await page.getByRole('button', { name: 'Show older batches' }).click();
    const listed = page.locator('#batches tbody th a');
    await expect.poll(() => page.locator('#more').isVisible()).toBe(false);
    const all = await listed.allTextContents();
    expect(new Set(all).size).toBe(all.length); // nothing listed twice
    for (const id of ids) expect(all).toContain(id);
    await page.close();
  });
});
