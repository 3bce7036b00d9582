import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser } from 'playwright-core';
import { atPath, launchBrowser, shot, signIn, startWebStack, uploadBatch, type WebStack } from './stack.js';

// With API_TOKENS the page asks for a token and works through a session cookie; nothing else does.
const TOKEN = 'web-token-8c1f5e2a';
let stack: WebStack;
let browser: Browser;
let evil: Server;
let evilUrl: string;
let failedBatch: string;

beforeAll(async () => {
  stack = await startWebStack({ API_TOKENS: TOKEN, DASHBOARD_PASSWORD: 'dashboard-pass-77' });
  stack.simulator.configure({ generationMs: 200, faults: { fail: 1 } });
  failedBatch = await uploadBatch(stack.api.url, 'prompt\na cat on a fence\n', {
    authorization: `Bearer ${TOKEN}`,
  });
  // Another site (another origin and another site: localhost, not 127.0.0.1) whose page posts a form
  // to the API by itself.
  evil = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(
      `<form id="f" method="POST" enctype="multipart/form-data" action="${stack.api.url}/v1/batches/${failedBatch}/retry">` +
        `<input name="only" value="failed"></form><script>document.getElementById('f').submit()</script>`,
    );
  });
  await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
  evilUrl = `http://localhost:${(evil.address() as AddressInfo).port}/`;
  browser = await launchBrowser();
  await vi.waitFor(async () => expect(await failedCount()).toBe(1), { timeout: 15_000, interval: 100 });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => evil?.close(resolve));
  await stack?.close();
});

async function failedCount(): Promise<number> {
  const res = await fetch(`${stack.api.url}/v1/batches/${failedBatch}`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  return ((await res.json()) as { counts: { failed: number } }).counts.failed;
}

describe('the page with API_TOKENS', () => {
  it('asks for a token, refuses a wrong one, signs in with the right one and out again', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${stack.api.url}/batches/${failedBatch}`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await shot(page, 'sign-in');

    await page.getByLabel('API token').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#alert').getByText('That token was refused.').waitFor();
    expect(await context.cookies()).toEqual([]);

    await page.getByLabel('API token').fill(TOKEN);
    await page.keyboard.press('Enter');
    await atPath(page, `/batches/${failedBatch}`);
    await page.locator('#live').getByText('live').waitFor();
    // The counts come with the server-sent events, the rows from their own read: either may be first.
    await expect
      .poll(() => page.locator('#counts li[data-status="failed"]').textContent(), { timeout: 10_000 })
      .toBe('failed: 1');

    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({
      name: 'vidq_session',
      httpOnly: true,
      sameSite: 'Strict',
      secure: false,
      path: '/',
    });
    expect(cookie!.value).not.toContain(TOKEN);
    expect(cookie!.expires - Date.now() / 1000).toBeGreaterThan(11 * 3600);
    // The token is nowhere in the page's storage, and Redis holds only a digest of the cookie's id.
    expect(
      await page.evaluate('JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + document.cookie'),
    ).toBe('{}{}');
    const cookieHeader = `vidq_session=${cookie!.value}`;

    // The cookie is the page's: the API takes it (GETs), but not Bull Board, /docs or /metrics.
    expect((await fetch(`${stack.api.url}/v1/batches`, { headers: { cookie: cookieHeader } })).status).toBe(
      200,
    );
    for (const path of ['/docs/json', '/metrics', '/admin/queues']) {
      expect((await fetch(`${stack.api.url}${path}`, { headers: { cookie: cookieHeader } })).status).toBe(
        401,
      );
    }
    // A state-changing request with the cookie: ignored unless it shows it comes from our own page
    // (the origin guard's Origin or Sec-Fetch-Site), and then refused without the page's CSRF token.
    const retryUrl = `${stack.api.url}/v1/batches/${failedBatch}/retry`;
    const post = (headers: Record<string, string>) =>
      fetch(retryUrl, {
        method: 'POST',
        headers: { cookie: cookieHeader, 'content-type': 'application/json', ...headers },
        body: '{"only":"failed"}',
      });
    expect((await post({})).status).toBe(401);
    const forged = await post({ origin: stack.api.url });
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as { error: { code: string } }).error.code).toBe('CSRF_TOKEN_INVALID');
    expect((await post({ 'sec-fetch-site': 'same-origin', 'x-vidq-csrf': 'not-the-csrf' })).status).toBe(403);

    // A page of another site posting a form to the API, in the same browser (with the cookie set): refused.
    const evilPage = await context.newPage();
    const answer = evilPage.waitForResponse((r) => r.url().includes('/retry'));
    await evilPage.goto(evilUrl);
    expect([401, 403]).toContain((await answer).status());
    expect(await failedCount()).toBe(1);

    // Sign out: the cookie goes, the session with it (the old cookie no longer works).
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/sign-in');
    expect(await context.cookies()).toEqual([]);
    expect((await fetch(`${stack.api.url}/v1/batches`, { headers: { cookie: cookieHeader } })).status).toBe(
      401,
    );
    await context.close();
  });

  it('after signing in goes only to a page of this site, whatever `next` says', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    // The other site's address, written so that a test of the text would take it for a path.
    const elsewhere = [
      '/%09/evil.example/phish',
      '/%0A/evil.example/',
      '/%5C/evil.example/',
      '//evil.example/',
      'https://evil.example/',
      'javascript:alert(1)',
    ];
    for (const next of elsewhere) {
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(`${stack.api.url}/sign-in?next=${next}`);
      await page.getByLabel('API token').fill(TOKEN);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await atPath(page, '/');
      expect(new URL(page.url()).origin, next).toBe(stack.api.url);
      expect(
        requests.filter((u) => new URL(u).hostname === 'evil.example'),
        next,
      ).toEqual([]);
      page.removeAllListeners('request');
    }
    // A path of this site, query included, is where it goes.
    await signIn(page, stack.api.url, TOKEN, `/batches/${failedBatch}`);
    await context.close();
  });

  it('sends nothing before its script runs: the buttons wait for their handlers', async () => {
    // Without JavaScript (as in the moment before the page's modules have loaded) a form would be sent
    // by the browser itself, and a button would do nothing: every action button starts disabled.
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(`${r.method()} ${r.url()}`));
    await page.goto(`${stack.api.url}/sign-in`);
    expect(await page.getByRole('button', { name: 'Sign in' }).isDisabled()).toBe(true);
    await page.getByLabel('API token').fill(TOKEN);
    await page.getByLabel('API token').press('Enter');
    expect(requests.filter((r) => r.includes(TOKEN) || r.startsWith('POST'))).toEqual([]);
    await context.close();

    // Signed in (by a page with its script), the batch and start pages without theirs.
    const signedIn = await browser.newContext();
    const signInPage = await signedIn.newPage();
    await signIn(signInPage, stack.api.url, TOKEN, '/');
    const noScript = await browser.newContext({
      javaScriptEnabled: false,
      storageState: await signedIn.storageState(),
    });
    await signedIn.close();
    const bare = await noScript.newPage();
    await bare.goto(`${stack.api.url}/batches/${failedBatch}`);
    expect(new URL(bare.url()).pathname).toBe(`/batches/${failedBatch}`);
    for (const name of ['Retry failed rows', 'Cancel the batch', 'Previous', 'Next', 'Search']) {
      expect(await bare.getByRole('button', { name, exact: true }).isDisabled(), name).toBe(true);
    }
    await bare.goto(`${stack.api.url}/`);
    expect(await bare.getByRole('button', { name: 'Queue the video' }).isDisabled()).toBe(true);
    await noScript.close();
  });

  it('retries from the page with the session (CSRF token sent by the page)', async () => {
    stack.simulator.configure({ faults: { fail: 0 } });
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, stack.api.url, TOKEN, `/batches/${failedBatch}`);
    await page.locator('#retry:not([disabled])').click();
    await expect
      .poll(() => page.locator('#rows li[data-status="completed"]').count(), { timeout: 15_000 })
      .toBe(1);
    await context.close();
  });
});
