import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPriceBook, providerPricedCatalogue } from '@vidqueue/core/store';
import { startSimulator, type RunningSimulator } from '@vidqueue/simulator';
import { uniquePrefix } from '@vidqueue/testkit';
import { jobTotal, postBatch, type ErrorReply } from './batch-helpers.js';
import { startCatalogueProxy } from './catalogue-proxy.js';
import { makeApp, type TestApp } from './helpers.js';

/**
 * Prices from the provider's catalogue (the simulator's, over real HTTP): the shared price list and its
 * ETag, the estimate of a video, dry runs, the balance refusal. Kandinsky distill is 0.02 USD per second
 * there, Kandinsky 5 (not distilled) 0.04.
 */
let sim: RunningSimulator;
let redis: Redis;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, generationMs: 200 });
  redis = new Redis(inject('redisUrl'));
});
afterAll(async () => {
  await sim?.close();
  await redis?.quit();
});

describe('the shared price list', () => {
  it('is read once for every process, kept in Redis with its ETag, and read again conditionally (304)', async () => {
    const prefix = uniquePrefix('prices');
    const calls: { ifNoneMatch: string | null; status: number }[] = [];
    const counting: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      calls.push({ ifNoneMatch: new Headers(init?.headers).get('if-none-match'), status: res.status });
      return res;
    };
    const read = providerPricedCatalogue({ baseUrl: sim.url, timeoutMs: 5000, fetch: counting });
    const api = createPriceBook({ redis, prefix, read, refreshMs: 60_000 });
    const worker = createPriceBook({ redis, prefix, read, refreshMs: 60_000 });

    const first = await api.table();
    expect(first?.byName.get('sber-ai/kandinsky5-distill-t2v')?.pricing).toMatchObject({ kind: 'fixed' });
    expect(first?.byName.get('kandinsky5-distill-t2v')?.id).toBe('sber-ai/kandinsky5-distill-t2v');
    expect(first?.etag).toMatch(/^W\/"/);
    // Another process finds it in Redis: no call.
    expect((await worker.table())?.etag).toBe(first?.etag);
    expect(calls).toEqual([{ ifNoneMatch: null, status: 200 }]);

    // A refresh sends the ETag and the unchanged catalogue answers 304: only checked_at moves.
    const before = await redis.hgetall(`${prefix}:vidq:prices`);
    await new Promise((r) => setTimeout(r, 5));
    expect(await worker.refresh()).toBe('not_modified');
    expect(calls[1]).toEqual({ ifNoneMatch: first?.etag, status: 304 });
    const after = await redis.hgetall(`${prefix}:vidq:prices`);
    expect(after).toMatchObject({ etag: before.etag, body: before.body, fetched_at: before.fetched_at });
    expect(Number(after.checked_at)).toBeGreaterThan(Number(before.checked_at));
    await redis.del(`${prefix}:vidq:prices`);
  });

  it('stale prices are served at once while one background read refreshes them', async () => {
    const prefix = uniquePrefix('prices');
    let calls = 0;
    const read = providerPricedCatalogue({
      baseUrl: sim.url,
      timeoutMs: 5000,
      fetch: (input, init) => {
        calls++;
        return fetch(input, init);
      },
    });
    let now = 1_000_000;
    const book = createPriceBook({ redis, prefix, read, refreshMs: 1000, localMs: 0, now: () => now });
    await book.table();
    now += 5000;
    const stale = await book.table();
    expect(stale?.checkedAt).toBe(1_000_000);
    await expect.poll(async () => (await book.table())?.checkedAt).toBe(now);
    expect(calls).toBe(2);
    await redis.del(`${prefix}:vidq:prices`);
  });

  it('with keepFresh, a long-running process looks at it every period even when nothing asks for a price', async () => {
    const prefix = uniquePrefix('prices');
    const statuses: number[] = [];
    const read = providerPricedCatalogue({
      baseUrl: sim.url,
      timeoutMs: 5000,
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        statuses.push(res.status);
        return res;
      },
    });
    const book = createPriceBook({ redis, prefix, read, refreshMs: 1000, keepFresh: true });
    try {
      await expect.poll(() => statuses, { timeout: 5_000, interval: 100 }).toEqual([200, 304]);
    } finally {
      book.close();
      await redis.del(`${prefix}:vidq:prices`);
    }
  });
});

describe('estimates through the API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp({ AIMLAPI_BASE_URL: sim.url });
  });
  afterAll(() => t?.close());

  it('POST /v1/videos answers the estimate of the request with the model defaults filled in', async () => {
    const post = (body: object) => t.app.inject({ method: 'POST', url: '/v1/videos', payload: body });
    const short = await post({ prompt: 'a fox' });
    expect(short.statusCode).toBe(202);
    expect(short.json()).toMatchObject({ estimated_cost_usd: 0.1 });
    const long = (await post({ prompt: 'a fox', duration: 10 })).json<{ id: string }>();
    expect(long).toMatchObject({ estimated_cost_usd: 0.2 });
    expect((await post({ prompt: 'a fox', model: 'sber-ai/kandinsky5-t2v' })).json()).toMatchObject({
      estimated_cost_usd: 0.2,
    });
    const view = await t.app.inject({ method: 'GET', url: `/v1/videos/${long.id}` });
    expect(view.json()).toMatchObject({
      status: 'queued',
      estimated_cost_usd: 0.2,
      max_cost_usd: null,
      cost_usd: null,
    });
  });

  it('a video whose estimate is over its own max_cost_usd is refused (422), nothing enqueued', async () => {
    const before = await jobTotal(t.app);
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/videos',
      payload: { prompt: 'a fox', duration: 10, max_cost_usd: 0.15 },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual({
      error: {
        code: 'MAX_COST_EXCEEDED',
        message: 'The video is estimated at 0.2 USD, over its max_cost_usd of 0.15 USD; nothing was enqueued',
        details: { estimated_cost_usd: 0.2, max_cost_usd: 0.15 },
      },
    });
    expect(await jobTotal(t.app)).toBe(before);
    const ok = await t.app.inject({
      method: 'POST',
      url: '/v1/videos',
      payload: { prompt: 'a fox', duration: 10, max_cost_usd: 0.2 },
    });
    expect(ok.statusCode).toBe(202);
  });

  it('a dry run of mixed models prices every row by model, enqueues nothing and writes nothing but the price list', async () => {
    const keysBefore = (await redis.keys(`${t.config.QUEUE_PREFIX}:*`)).sort();
    const jobsBefore = await jobTotal(t.app);
    const csv = [
      'prompt,model,duration',
      'a,,5',
      'b,sber-ai/kandinsky5-t2v,5',
      'c,,10',
      'd,sber-ai/kandinsky5-t2v,10',
      'e,sber-ai/kandinsky5-distill-t2v,',
    ].join('\n');
    const res = await postBatch(t.app, csv, 'text/csv', '?dry_run=true');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      total: 5,
      skipped: 0,
      // 0.02 USD/s × (5 + 10 + 5 default) and 0.04 USD/s × (5 + 10).
      estimated_cost_usd: 1,
      by_model: [
        { model: 'sber-ai/kandinsky5-distill-t2v', rows: 3, estimated_cost_usd: 0.4, unpriced_rows: 0 },
        { model: 'sber-ai/kandinsky5-t2v', rows: 2, estimated_cost_usd: 0.6, unpriced_rows: 0 },
      ],
      unpriced_rows: 0,
      prices_as_of: expect.any(String) as unknown,
      balance_usd: null,
    });
    expect(await jobTotal(t.app)).toBe(jobsBefore);
    const keysAfter = (await redis.keys(`${t.config.QUEUE_PREFIX}:*`)).sort();
    expect(keysAfter).toEqual(keysBefore);
  });

  it('a dry run checks the whole file like an upload: 422 for invalid rows, or their count with skip', async () => {
    const csv = 'prompt,duration\na,5\nb,7\nc,10\n';
    const refused = await postBatch(t.app, csv, 'text/csv', '?dry_run=true');
    expect(refused.statusCode).toBe(422);
    expect(refused.json<ErrorReply>().error.code).toBe('INVALID_ROWS');
    const skipped = await postBatch(t.app, csv, 'text/csv', '?dry_run=true&on_invalid=skip');
    expect(skipped.json()).toMatchObject({ total: 2, skipped: 1, estimated_cost_usd: 0.3, unpriced_rows: 0 });
  });
});

describe('unpriced rows', () => {
  let t: TestApp;
  let proxy: Awaited<ReturnType<typeof startCatalogueProxy>>;
  beforeAll(async () => {
    proxy = await startCatalogueProxy(sim.url, { 'sber-ai/kandinsky5-t2v': { kind: 'variable' } });
    t = await makeApp({ AIMLAPI_BASE_URL: proxy.url });
  });
  afterAll(async () => {
    await t?.close();
    await proxy?.close();
  });

  it('are counted apart in a dry run and in the batch, never as 0', async () => {
    const csv = 'prompt,model\na,\nb,sber-ai/kandinsky5-t2v\nc,sber-ai/kandinsky5-t2v\n';
    const dry = await postBatch(t.app, csv, 'text/csv', '?dry_run=true');
    expect(dry.json()).toMatchObject({
      total: 3,
      estimated_cost_usd: 0.1,
      unpriced_rows: 2,
      by_model: [
        { model: 'sber-ai/kandinsky5-distill-t2v', rows: 1, estimated_cost_usd: 0.1, unpriced_rows: 0 },
        { model: 'sber-ai/kandinsky5-t2v', rows: 2, estimated_cost_usd: null, unpriced_rows: 2 },
      ],
    });
    const created = await postBatch(t.app, csv);
    expect(created.statusCode).toBe(202);
    expect(created.json()).toMatchObject({
      total: 3,
      estimated_cost_usd: 0.1,
      unpriced_rows: 2,
      max_cost_usd: null,
    });
    const video = await t.app.inject({
      method: 'POST',
      url: '/v1/videos',
      payload: { prompt: 'x', model: 'sber-ai/kandinsky5-t2v' },
    });
    expect(video.json()).toMatchObject({ estimated_cost_usd: null });
  });

  it('under a cap they are refused (422 UNPRICED_UNDER_CAP), nothing enqueued', async () => {
    const before = await jobTotal(t.app);
    const csv = 'prompt,model\na,\nb,sber-ai/kandinsky5-t2v\n';
    const res = await postBatch(t.app, csv, 'text/csv', '?max_cost_usd=5');
    expect(res.statusCode).toBe(422);
    const { error } = res.json<{ error: { code: string; message: string; details: unknown } }>();
    expect(error.code).toBe('UNPRICED_UNDER_CAP');
    expect(error.message).toBe(
      "1 row(s) cannot be priced (no price can be told ahead for sber-ai/kandinsky5-t2v) and the batch's max_cost_usd of 5 USD applies: a cap cannot be kept for a row of unknown cost; nothing was enqueued (remove the cap, or those rows)",
    );
    expect(error.details).toEqual({ unpriced_rows: 1, models: ['sber-ai/kandinsky5-t2v'] });
    const video = await t.app.inject({
      method: 'POST',
      url: '/v1/videos',
      payload: { prompt: 'x', model: 'sber-ai/kandinsky5-t2v', max_cost_usd: 1 },
    });
    expect(video.statusCode).toBe(422);
    expect(video.json<ErrorReply>().error.code).toBe('UNPRICED_UNDER_CAP');
    expect(await jobTotal(t.app)).toBe(before);
  });
});

describe('the balance', () => {
  let t: TestApp;
  const TOKEN = 'prices-test-token';
  beforeAll(async () => {
    t = await makeApp({
      AIMLAPI_BASE_URL: sim.url,
      AIMLAPI_KEY: 'sk-prices-test-key',
      BALANCE_CACHE_MS: '0',
      API_TOKENS: TOKEN,
    });
  });
  afterAll(async () => {
    sim.configure({ balanceUsd: 1_000_000 });
    await t?.close();
  });
  const auth = { authorization: `Bearer ${TOKEN}` };

  it('a batch estimated over it is refused with 402 naming both figures, unless ignore_balance=true', async () => {
    sim.configure({ balanceUsd: 0.25 });
    const csv = 'prompt\na\nb\nc\n';
    const refused = await postBatch(t.app, csv, 'text/csv', '', auth);
    expect(refused.statusCode).toBe(402);
    expect(refused.json()).toEqual({
      error: {
        code: 'INSUFFICIENT_BALANCE',
        message:
          'The batch is estimated at 0.3 USD but the account balance is 0.25 USD; nothing was enqueued (top up, or send ignore_balance=true to enqueue it anyway)',
        details: { estimated_cost_usd: 0.3, balance_usd: 0.25, unpriced_rows: 0 },
      },
    });
    expect(await jobTotal(t.app)).toBe(0);
    const dry = await postBatch(t.app, csv, 'text/csv', '?dry_run=true', auth);
    expect(dry.json()).toMatchObject({ estimated_cost_usd: 0.3, balance_usd: 0.25 });
    const forced = await postBatch(t.app, csv, 'text/csv', '?ignore_balance=true', auth);
    expect(forced.statusCode).toBe(202);
    expect(await jobTotal(t.app)).toBe(3);
    sim.configure({ balanceUsd: 0.3 });
    expect((await postBatch(t.app, csv, 'text/csv', '', auth)).statusCode).toBe(202);
  });

  it('GET /v1/balance and /healthz show it; /healthz only to a caller with a valid token', async () => {
    sim.configure({ balanceUsd: 42.5 });
    const balance = await t.app.inject({ method: 'GET', url: '/v1/balance', headers: auth });
    expect(balance.json()).toMatchObject({ balance_usd: 42.5, currency: 'USD', reason: null });
    const open = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(open.statusCode).toBe(200);
    expect(open.json()).not.toHaveProperty('balance');
    const wrong = await t.app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrong.json()).not.toHaveProperty('balance');
    const mine = await t.app.inject({ method: 'GET', url: '/healthz', headers: auth });
    expect(mine.json()).toMatchObject({ status: 'ok', balance: { balance_usd: 42.5, currency: 'USD' } });
  });
});
