import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { createAimlApiClient } from '@vidqueue/aimlapi';
import { createLogger, createRedis } from '@vidqueue/core/runtime';
import { startSimulator, type RunningSimulator } from '@vidqueue/simulator';
import { dumpKeys, LogSink } from '@vidqueue/testkit';
import { startWorker, type RunningWorker } from '@vidqueue/worker';
import { startApi, type RunningApi } from '../src/server.js';
import { basic, deletePrefix, testConfig } from './helpers.js';

// The whole path over real HTTP: this API, the real worker, the provider simulator, Redis.
const PROVIDER_KEY = 'sim-provider-key-7f3a9c';
const API_TOKEN = 'api-token-5d1e8b';
const DASHBOARD_PASSWORD = 'dashboard-pass-c4e2';
const PROMPT = 'a paper boat drifting down a rainy street gutter';

const config = testConfig({
  PORT: '0',
  API_TOKENS: API_TOKEN,
  DASHBOARD_PASSWORD,
  AIMLAPI_KEY: PROVIDER_KEY,
  STATUS_FIRST_CHECK_MS: '300',
  STATUS_INTERVAL_MS: '200',
});
const apiSink = new LogSink();
const workerSink = new LogSink();
let simulator: RunningSimulator;
let worker: RunningWorker | undefined;
let api: RunningApi;
let browser: Browser | undefined;

const auth = { authorization: `Bearer ${API_TOKEN}` };

beforeAll(async () => {
  // Long enough to see `generating` between status checks, short enough for a fast test.
  simulator = await startSimulator({ apiKeys: [PROVIDER_KEY], generationMs: 1_500, queuedFraction: 0.2 });
  api = await startApi({ config, logger: createLogger({ level: 'trace', destination: apiSink }) });
});

afterAll(async () => {
  await browser?.close();
  await worker?.close();
  await api?.close();
  await simulator?.close();
  await deletePrefix(config);
});

function startTheWorker(): Promise<RunningWorker> {
  const client = createAimlApiClient({ apiKey: PROVIDER_KEY, baseUrl: simulator.url, timeoutMs: 5_000 });
  return startWorker({
    config: { ...config, AIMLAPI_BASE_URL: simulator.url },
    logger: createLogger({ level: 'trace', destination: workerSink }),
    client,
  });
}

type View = {
  id: string;
  status: string;
  video_url: string | null;
  generation_id: string | null;
  polls: number;
};

async function getVideo(id: string): Promise<View> {
  const res = await fetch(`${api.url}/v1/videos/${id}`, { headers: auth });
  expect(res.status).toBe(200);
  return (await res.json()) as View;
}

async function postVideo(prompt: string): Promise<string> {
  const res = await fetch(`${api.url}/v1/videos`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ prompt, duration: 5, custom_id: 'e2e-1' }),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

describe('end to end: POST → queued → generating → completed', () => {
  it('turns a prompt into a downloadable MP4', async () => {
    const id = await postVideo(PROMPT);
    // No worker yet: it waits in the queue.
    expect((await getVideo(id)).status).toBe('queued');

    worker = await startTheWorker();
    const seen = new Set<string>();
    await expect
      .poll(
        async () => {
          const view = await getVideo(id);
          seen.add(view.status);
          return view.status;
        },
        { timeout: 15_000, interval: 50 },
      )
      .toBe('completed');
    expect(seen).toContain('generating');

    const done = await getVideo(id);
    expect(done.generation_id).toEqual(expect.any(String));
    expect(done.polls).toBeGreaterThanOrEqual(1);
    expect(done.video_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/.+\.mp4$/);

    const video = await fetch(done.video_url!);
    expect(video.status).toBe(200);
    expect(video.headers.get('content-type')).toBe('video/mp4');
    const bytes = Buffer.from(await video.arrayBuffer());
    expect(bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');

    // One prompt, one paid generation; the provider saw it with our key.
    const stats = simulator.stats();
    expect(stats.by_prompt[PROMPT]?.creates).toBe(1);
    expect(stats.duplicate_creates).toBe(0);
    expect(stats.rejected.unauthorized).toBe(0);
  });

  it('never writes the bearer token, dashboard password or provider key to logs or Redis, nor prompts at info', async () => {
    // Exercise the failure paths that carry credentials too.
    await fetch(`${api.url}/v1/models`, { headers: { authorization: 'Bearer wrong-token' } });
    await fetch(`${api.url}/admin/queues`, { headers: { authorization: basic('admin', 'wrong-password') } });
    await fetch(`${api.url}/admin/queues`, {
      headers: { authorization: basic('admin', DASHBOARD_PASSWORD) },
    });

    const logs = `${apiSink.text()}\n${workerSink.text()}`;
    expect(apiSink.lines.length).toBeGreaterThan(5);
    for (const secret of [API_TOKEN, DASHBOARD_PASSWORD, PROVIDER_KEY, basic('admin', DASHBOARD_PASSWORD)]) {
      expect(logs).not.toContain(secret);
    }
    const redis = createRedis(config.REDIS_URL, 'worker');
    try {
      const dump = await dumpKeys(redis, `${config.QUEUE_PREFIX}:*`);
      expect(dump).toContain(PROMPT); // the dump is real: the job is there
      for (const secret of [API_TOKEN, DASHBOARD_PASSWORD, PROVIDER_KEY]) expect(dump).not.toContain(secret);
    } finally {
      await redis.quit();
    }
    const infoOrAbove = apiSink.lines.filter((l) => Number(l.level) >= 30);
    expect(infoOrAbove.length).toBeGreaterThan(0);
    expect(infoOrAbove.map((l) => JSON.stringify(l)).join('\n')).not.toContain(PROMPT);
  });
});

describe('end to end with another model than Kandinsky', () => {
  it("POST /v1/videos with Veo 3.1's fields: the worker sends exactly them to the provider", async () => {
    worker ??= await startTheWorker();
    const prompt = 'a glass of water on a windowsill, morning light';
    const fields = {
      resolution: '720p',
      duration: 4,
      generate_audio: false,
      seed: 1234,
      negative_prompt: 'text',
    };
    const res = await fetch(`${api.url}/v1/videos`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt, model: 'google/veo-3.1-t2v', ...fields, metadata: { shot: 3 } }),
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    await expect
      .poll(async () => (await getVideo(id)).status, { timeout: 15_000, interval: 100 })
      .toBe('completed');
    // What the provider received: the model and the fields as sent, no default added, nothing of ours.
    expect(simulator.stats().by_prompt[prompt]?.last_request).toEqual({
      model: 'google/veo-3.1-t2v',
      ...fields,
    });
  });
});

describe('Bull Board in a real browser', () => {
  it('shows the generations queue and a completed job with its video URL', async () => {
    worker ??= await startTheWorker();
    const id = await postVideo('a lighthouse at dusk, waves breaking');
    await expect
      .poll(async () => (await getVideo(id)).status, { timeout: 15_000, interval: 100 })
      .toBe('completed');
    const videoUrl = (await getVideo(id)).video_url!;

    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    const context = await browser.newContext({
      httpCredentials: { username: 'admin', password: DASHBOARD_PASSWORD },
    });
    const page = await context.newPage();
    await page.goto(`${api.url}/admin/queues`);
    // The overview lists the queue; open it, then its completed jobs, then our job.
    await page
      .getByRole('link', { name: /generations/ })
      .first()
      .click();
    await page
      .getByRole('link', { name: /completed/i })
      .first()
      .click();
    await page.getByText(id).first().click();
    await page.waitForURL(`**/admin/queues/queue/generations/${id}*`);
    // The job's Data tab shows its return value, with the video URL.
    await page.getByText('returnValue').first().waitFor();
    await page.getByText(videoUrl).first().waitFor();
    if (process.env.VIDQ_SCREENSHOT)
      await page.screenshot({ path: process.env.VIDQ_SCREENSHOT, fullPage: true });
    await context.close();
  });
});
