import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useWebTestbed, shot, tabTo } from './stack.js';

// The start page in a real browser: a file checked before anything is queued, then queued; one prompt.
const web = useWebTestbed('start');

async function batchCount(): Promise<number> {
  const res = await fetch(`${web.stack.api.url}/v1/batches?limit=200`);
  return ((await res.json()) as { batches: unknown[] }).batches.length;
}

describe('start page', () => {
  it('reports every invalid line, then the estimate, before queueing; queues by keyboard', async () => {
    web.stack.simulator.configure({ generationMs: 600, faults: { fail: 0 } });
    const bad = join(web.dir, 'prompts.csv');
    await writeFile(bad, 'prompt,duration\na fox in the snow,5\n,5\na cat on a fence,7\n');
    const good = join(web.dir, 'prompts-fixed.csv');
    await writeFile(good, 'prompt,duration\na fox in the snow,5\na dog on a beach,5\na cat on a fence,10\n');

    const page = await web.browser.newPage();
    await page.goto(web.stack.api.url);
    await page.locator('#batch-model option').first().waitFor({ state: 'attached' });
    await shot(page, 'start');

    // The file input by keyboard: Tab to it, Space opens the file chooser.
    await tabTo(page, '#file');
    const chooser = page.waitForEvent('filechooser');
    await page.keyboard.press('Space');
    await (await chooser).setFiles(bad);
    const errors = page.locator('#invalid-lines tbody tr');
    await expect.poll(() => errors.count(), { timeout: 10_000 }).toBe(2);
    await expect(errors.nth(0).locator('td').allTextContents()).resolves.toEqual([
      '3',
      'prompt',
      expect.any(String),
    ]);
    await expect(errors.nth(1).locator('td').nth(0).textContent()).resolves.toBe('4');
    await expect(errors.nth(1).locator('td').nth(1).textContent()).resolves.toBe('duration');
    expect(await page.locator('#submit-batch').isDisabled()).toBe(true);
    await shot(page, 'start-invalid');
    expect(await batchCount()).toBe(0); // nothing queued by the check

    // The fixed file: the estimate, still nothing queued.
    await page.locator('#file').setInputFiles(good);
    await page.locator('#estimate').waitFor();
    await expect(page.locator('#estimate').textContent()).resolves.toMatch(
      /^3 rows · estimated cost \$0\.40/,
    );
    expect(await batchCount()).toBe(0);
    await shot(page, 'start-estimate');

    // Submit by keyboard: the batch page opens and its rows complete there.
    await tabTo(page, '#submit-batch');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/batches\/bat_/);
    await expect
      .poll(() => page.locator('#rows li[data-status="completed"]').count(), { timeout: 20_000 })
      .toBe(3);
    expect(await batchCount()).toBe(1);
    await page.close();
    // Three page loads, two uploads and three generations in a real browser: on a CI machine busy with
    // the other suites (chaos SIGKILLs, clusters) the steps, each within its own limit, add up past 30 s.
  }, 60_000);

  it('queues one prompt with the model’s fields', async () => {
    const page = await web.browser.newPage();
    await page.goto(web.stack.api.url);
    await page.locator('#video-params select, #video-params input').first().waitFor();
    await page.getByLabel('Prompt', { exact: true }).fill('a kite over a windy hill');
    await page.locator('#param-duration').selectOption('10');
    await page.getByRole('button', { name: 'Queue the video' }).click();
    const id = await page.locator('#video-result code').textContent();
    expect(id).toMatch(/^vid_/);
    const view = (await (await fetch(`${web.stack.api.url}/v1/videos/${id}`)).json()) as {
      prompt: string;
      duration?: number;
    };
    expect(view.prompt).toBe('a kite over a windy hill');
    await page.close();
  });
});
