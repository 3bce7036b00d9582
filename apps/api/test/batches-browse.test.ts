import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { vidqKeys } from '@vidqueue/core/contract';
import { createBatchStore } from '@vidqueue/core/store';
import { makeApp, testRedis, type TestApp } from './helpers.js';

// GET /v1/batches (the index), GET /v1/batches/:id/rows (paging and filters) and the events stream.
let t: TestApp;

beforeEach(async () => {
  t = await makeApp();
});

afterEach(async () => {
  await t.close();
});

async function upload(csv: string, query = ''): Promise<string> {
  const res = await t.app.inject({
    method: 'POST',
    url: `/v1/batches${query}`,
    headers: { 'content-type': 'text/csv' },
    payload: csv,
  });
  expect(res.statusCode).toBe(202);
  return res.json<{ id: string }>().id;
}

function store() {
  const redis = testRedis();
  return { redis, store: createBatchStore(redis, t.config.QUEUE_PREFIX, t.config.BATCH_TTL_SECONDS) };
}

type Page = {
  rows: { row: number; status: string; prompt: string; custom_id: string | null }[];
  total: number | null;
  next_offset: number | null;
};

async function rows(id: string, query: string): Promise<Page> {
  const res = await t.app.inject({ url: `/v1/batches/${id}/rows?${query}` });
  expect(res.statusCode).toBe(200);
  return res.json<Page>();
}

describe('GET /v1/batches', () => {
  it('lists batches newest first, a page at a time, and forgets those whose record expired', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await upload(`prompt\nprompt number ${i}\n`));
    const first = await t.app.inject({ url: '/v1/batches?limit=2' });
    expect(first.statusCode).toBe(200);
    const page1 = first.json<{
      batches: { id: string; total: number; counts: object }[];
      next_cursor: string;
    }>();
    expect(page1.batches.map((b) => b.id)).toEqual([ids[4], ids[3]]);
    expect(page1.batches[0]).toMatchObject({ total: 1, status: 'queued', cost_usd: 0 });
    const page2 = (await t.app.inject({ url: `/v1/batches?limit=2&cursor=${page1.next_cursor}` })).json<
      typeof page1
    >();
    expect(page2.batches.map((b) => b.id)).toEqual([ids[2], ids[1]]);

    // The record of ids[0] expires: it leaves the listing and the index.
    const { redis } = store();
    const keys = vidqKeys(t.config.QUEUE_PREFIX);
    await redis.del(...Object.values(keys.batch(ids[0]!)).filter((k) => !k.endsWith(':events')));
    const page3 = (await t.app.inject({ url: `/v1/batches?limit=2&cursor=${page2.next_cursor}` })).json<
      typeof page1
    >();
    expect(page3).toEqual({ batches: [], next_cursor: null });
    expect(await redis.zscore(keys.batchIndex, ids[0]!)).toBeNull();
    expect(await redis.zcard(keys.batchIndex)).toBe(4);
    await redis.quit();

    const bad = await t.app.inject({ url: '/v1/batches?cursor=nonsense' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: { code: string } }>().error.code).toBe('VALIDATION_ERROR');
  });
});

describe('GET /v1/batches/:id/rows', () => {
  it('pages rows in order, filters by status and by text, and skips rows left out of the file', async () => {
    // 2500 rows (three spans of the scan), every 7th invalid and skipped.
    const lines = Array.from({ length: 2500 }, (_, i) =>
      (i + 1) % 7 === 0 ? ',bad' : `${i % 100 === 0 ? 'A Red FOX' : 'a cat'} number ${i + 1},id-${i + 1}`,
    );
    const id = await upload(`prompt,custom_id\n${lines.join('\n')}\n`, '?on_invalid=skip');
    const { redis, store: s } = store();
    await s.setRowStatus(id, 1, 'failed', { error: { code: 'generation_failed', message: 'no' } });
    await s.setRowStatus(id, 2000, 'failed', { error: { code: 'generation_failed', message: 'no' } });
    await s.setRowStatus(id, 3, 'completed', { video_url: 'https://cdn.example/3.mp4', cost_usd: 0.1 });
    await redis.quit();

    const first = await rows(id, 'limit=10');
    expect(first.rows.map((r) => r.row)).toEqual([1, 2, 3, 4, 5, 6, 8, 9, 10, 11]);
    expect(first.total).toBe(2500 - 357);
    expect(first.next_offset).toBe(10);
    expect(first.rows[2]).toMatchObject({
      status: 'completed',
      video_url: 'https://cdn.example/3.mp4',
      cost_usd: 0.1,
      attempt: 0,
      possible_duplicate: false,
    });

    const deep = await rows(id, 'offset=2140&limit=10');
    expect(deep.rows.map((r) => r.row)).toEqual([2497, 2498, 2500]);
    expect(deep.next_offset).toBeNull();

    const failed = await rows(id, 'status=failed');
    expect(failed.rows.map((r) => [r.row, r.status])).toEqual([
      [1, 'failed'],
      [2000, 'failed'],
    ]);
    expect(failed.total).toBe(2);
    const queued = await rows(id, 'status=queued&limit=3');
    expect(queued.rows.map((r) => r.row)).toEqual([2, 4, 5]);
    expect(queued.total).toBe(2143 - 3);

    // Text: case-insensitive, in the prompt or the custom id; the total once the scan reached the end.
    const fox = await rows(id, 'q=red%20fox&limit=10');
    expect(fox.rows.map((r) => r.row)).toEqual([1, 101, 201, 401, 501, 601, 701, 801, 901, 1101]);
    expect(fox.next_offset).toBe(10);
    expect(fox.total).toBeNull();
    const foxEnd = await rows(id, 'q=red%20fox&offset=20');
    expect(foxEnd.rows.map((r) => r.row)).toEqual([2301]);
    expect(foxEnd.total).toBe(21);
    expect((await rows(id, 'q=ID-2000&status=failed')).rows.map((r) => r.row)).toEqual([2000]);
    expect((await rows(id, 'q=%25')).rows).toEqual([]); // plain text, not a pattern

    expect((await t.app.inject({ url: '/v1/batches/bat_nope/rows' })).statusCode).toBe(404);
    expect((await t.app.inject({ url: `/v1/batches/${id}/rows?status=odd` })).statusCode).toBe(400);
  });
});

describe('GET /v1/batches/:id/events', () => {
  it('starts with a snapshot, then sends coalesced updates naming the rows that changed', async () => {
    const id = await upload('prompt\none\ntwo\nthree\n');
    const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const controller = new AbortController();
    const res = await fetch(`${url}/v1/batches/${id}/events`, { signal: controller.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const until = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${pattern}`);
        text += value;
      }
    };
    await until(/event: snapshot\ndata: .*\n\n/);
    expect(text).toMatch(/^retry: 2000\n\nid: 1\nevent: snapshot\ndata: \{"id":"bat_/);

    const { redis, store: s } = store();
    await s.setRowStatus(id, 1, 'generating');
    await s.setRowStatus(id, 1, 'completed', { video_url: 'https://cdn.example/1.mp4', cost_usd: 0.1 });
    await s.setRowStatus(id, 3, 'failed', { error: { code: 'generation_failed', message: 'no' } });
    await until(/event: update\ndata: .*\n\n/);
    const update = JSON.parse(/event: update\ndata: (.*)\n\n/.exec(text)![1]!) as {
      batch: { counts: Record<string, number> };
      rows: { row: number; status: string }[];
    };
    // Three changes within the coalescing window: one update, the last status of each row.
    expect(update.rows).toEqual([
      { row: 1, status: 'completed' },
      { row: 3, status: 'failed' },
    ]);
    expect(update.batch.counts).toMatchObject({ queued: 1, completed: 1, failed: 1 });

    // A cancel moves many rows: the update says "reload" (rows null).
    text = '';
    await t.app.inject({ method: 'DELETE', url: `/v1/batches/${id}` });
    await until(/event: update\ndata: .*\n\n/);
    expect(/"rows":null/.test(text)).toBe(true);
    controller.abort();
    await redis.quit();

    // A reconnection (EventSource sends Last-Event-ID) starts again from a full snapshot of the state now.
    const again = await fetch(`${url}/v1/batches/${id}/events`, { headers: { 'last-event-id': '7' } });
    const againReader = again.body!.pipeThrough(new TextDecoderStream()).getReader();
    let resumed = '';
    while (!/event: snapshot\ndata: .*\n\n/.test(resumed)) resumed += (await againReader.read()).value ?? '';
    const snapshot = JSON.parse(/event: snapshot\ndata: (.*)\n\n/.exec(resumed)![1]!) as { status: string };
    expect(snapshot.status).toBe('cancelled');
    await againReader.cancel();
    expect((await t.app.inject({ url: '/v1/batches/bat_nope/events' })).statusCode).toBe(404);
    // HEAD: the stream's headers, then the end (no stream held open).
    const head = await fetch(`${url}/v1/batches/${id}/events`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(head.headers.get('x-frame-options')).toBe('DENY');
    expect(await head.text()).toBe('');
  });

  it('loses no change told while the snapshot was being read: the batch follows it, rows to reload', async () => {
    const id = await upload('prompt\none\ntwo\n');
    const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    // The stream's snapshot read is held after it has read the batch, until a change of the batch has
    // been told to the stream (the events' own read of the batch, the second call, has been answered).
    const producer = t.app.producer;
    const read = producer.getBatch.bind(producer);
    let calls = 0;
    let snapshotRead = false;
    let toldRead = false;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    producer.getBatch = async (batchId: string) => {
      const call = ++calls;
      const view = await read(batchId);
      if (call === 1) {
        snapshotRead = true;
        await held;
      } else setTimeout(() => (toldRead = true)); // once the caller has had the view
      return view;
    };
    const controller = new AbortController();
    const res = fetch(`${url}/v1/batches/${id}/events`, { signal: controller.signal });
    await expect.poll(() => snapshotRead, { interval: 10 }).toBe(true);
    const { redis, store: s } = store();
    await s.setRowStatus(id, 1, 'completed', { video_url: 'https://cdn.example/1.mp4', cost_usd: 0.1 });
    await expect.poll(() => toldRead, { interval: 10 }).toBe(true);
    release();

    const reader = (await res).body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!/event: update\ndata: .*\n\n/.test(text)) text += (await reader.read()).value ?? '';
    const snapshot = JSON.parse(/event: snapshot\ndata: (.*)\n\n/.exec(text)![1]!) as {
      counts: Record<string, number>;
    };
    expect(snapshot.counts).toMatchObject({ queued: 2, completed: 0 });
    const update = JSON.parse(/event: update\ndata: (.*)\n\n/.exec(text)![1]!) as {
      batch: { counts: Record<string, number> };
      rows: unknown;
    };
    expect(update).toMatchObject({ batch: { counts: { queued: 1, completed: 1 } }, rows: null });
    controller.abort();
    await redis.quit();
  });
});
