import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { createLogger, type Config } from '@vidqueue/core/runtime';
import { LogSink } from '@vidqueue/testkit';
import { startApi, type RunningApi } from '../src/server.js';
import { jobTotal } from './batch-helpers.js';
import { deletePrefix, testConfig } from './helpers.js';

/**
 * The attack of the issue, in a real browser: a page of another site (served here from
 * http://localhost:<port>, while the API is http://127.0.0.1:<port>, so Chromium sends
 * `Sec-Fetch-Site: cross-site`) posts a form with a prompts file to the open local API, and fires a
 * bodiless no-cors POST at /v1/admin/resume. Browsers send both without a preflight.
 */
const FILE = 'prompt\na video somebody else pays for\n';

let config: Config;
let api: RunningApi;
let attacker: Server;
let attackerUrl: string;
let browser: Browser | undefined;
const sink = new LogSink();

function page(apiUrl: string): string {
  return `<!doctype html><html><body>
<form id="f" method="POST" action="${apiUrl}/v1/batches" enctype="multipart/form-data">
  <input type="file" name="file"><button id="go" type="submit">go</button>
</form>
<script>
  window.resume = () => fetch(${JSON.stringify(`${apiUrl}/v1/admin/resume`)}, { method: 'POST', mode: 'no-cors' })
    .then(() => 'sent', (e) => String(e));
</script>
</body></html>`;
}

beforeAll(async () => {
  config = testConfig({ PORT: '0' });
  api = await startApi({ config, logger: createLogger({ level: 'info', destination: sink }) });
  attacker = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(api.url));
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerUrl = `http://localhost:${(attacker.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => attacker?.close(resolve));
  await api?.close();
  await deletePrefix(config);
});

describe('a page of another site against the open local API, in Chromium', () => {
  it('is refused: the form upload gets 403 CROSS_ORIGIN_REFUSED, nothing is enqueued, the pause stays', async () => {
    await api.app.redis.hset(api.app.keys.accountPause, {
      reason: 'out of credits',
      status: '403',
      since: '1',
    });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    const tab = await browser.newPage();
    await tab.goto(attackerUrl);

    // The page's own script (it runs in the browser, where `resume` is a global).
    expect(await tab.evaluate('resume()')).toBe('sent');
    await tab.setInputFiles('input[name=file]', {
      name: 'prompts.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(FILE),
    });
    await Promise.all([tab.waitForURL(`${api.url}/v1/batches`), tab.click('#go')]);
    const answer = JSON.parse((await tab.textContent('body')) ?? '') as { error: { code: string } };
    expect(answer.error.code).toBe('CROSS_ORIGIN_REFUSED');

    expect(await jobTotal(api.app)).toBe(0);
    expect(await api.app.redis.keys(`${config.QUEUE_PREFIX}:vidq:batch:*`)).toEqual([]);
    expect(await api.app.redis.exists(api.app.keys.accountPause)).toBe(1);
    // Both requests reached the API and were refused there, by the browser's own headers.
    const refused = sink.lines.filter((l) => l.msg === 'browser request refused');
    expect(refused.map((l) => l.method).sort()).toEqual(['POST', 'POST']);
    await tab.close();
  });
});
