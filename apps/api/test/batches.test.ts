import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GenerationJobData } from '@vidqueue/core/contract';
import { makeApp, type TestApp } from './helpers.js';
import {
  jobTotal,
  multipartBody,
  postBatch,
  spoolDirs,
  usePrivateTmpdir,
  type BatchBody,
  type Created,
  type ErrorReply,
} from './batch-helpers.js';

usePrivateTmpdir();

let t: TestApp;

beforeEach(async () => {
  t = await makeApp({ MAX_UPLOAD_BYTES: '4000', MAX_BATCH_ROWS: '20', MAX_PROMPT_LENGTH: '200' });
});

afterEach(async () => {
  await t.close();
});

async function jobsOf(id: string, rows: number[]) {
  return Promise.all(rows.map((r) => t.app.queue.getJob(`${id}-${r}`)));
}

describe('POST /v1/batches: accepted files', () => {
  it('takes a CSV body: 202, one job per row with deterministic ids, counts all queued', async () => {
    const csv = 'prompt,duration,custom_id,campaign\na red fox,5,fox,winter\na lighthouse,10,light,summer\n';
    const res = await postBatch(t.app, csv);
    expect(res.statusCode).toBe(202);
    const body = res.json<Created>();
    expect(body).toMatchObject({ status: 'queued', total: 2, skipped: 0 });
    expect(body.id).toMatch(/^bat_[A-Za-z0-9_-]+$/);
    expect(res.headers.location).toBe(`/v1/batches/${body.id}`);
    const [a, b] = await jobsOf(body.id, [1, 2]);
    expect(a?.data).toMatchObject({
      batchId: body.id,
      row: 1,
      customId: 'fox',
      metadata: { campaign: 'winter' },
      input: { prompt: 'a red fox', duration: 5, model: 'sber-ai/kandinsky5-distill-t2v' },
    } satisfies Partial<GenerationJobData>);
    expect(b?.data.input.duration).toBe(10);
    expect(await jobTotal(t.app)).toBe(2);

    const view = await t.app.inject({ method: 'GET', url: `/v1/batches/${body.id}` });
    expect(view.statusCode).toBe(200);
    expect(view.json<BatchBody>()).toMatchObject({
      id: body.id,
      status: 'queued',
      total: 2,
      counts: { queued: 2, generating: 0, completed: 0, failed: 0, cancelled: 0 },
      cost_usd: 0,
      finished_at: null,
    });
  });

  it('takes JSONL as application/x-ndjson and application/jsonl, with metadata objects', async () => {
    const jsonl = '{"prompt":"a red fox","metadata":{"n":1}}\n\n{"prompt":"waves","custom_id":7}\n';
    for (const type of ['application/x-ndjson', 'application/jsonl']) {
      const res = await postBatch(t.app, jsonl, type);
      expect(res.statusCode).toBe(202);
      const { id, total } = res.json<Created>();
      expect(total).toBe(2);
      const [a, b] = await jobsOf(id, [1, 2]);
      expect(a?.data.metadata).toEqual({ n: 1 });
      expect(b?.data.customId).toBe('7');
    }
  });

  it('refuses a multipart body with two files (400, nothing enqueued) instead of dropping the second', async () => {
    for (const second of ['file', 'other']) {
      const boundary = '----vidqtwofiles';
      const filePart = (name: string, filename: string, content: string) =>
        `--${boundary}\r\ncontent-disposition: form-data; name="${name}"; filename="${filename}"\r\ncontent-type: text/csv\r\n\r\n${content}\r\n`;
      const payload =
        filePart('file', 'one.csv', 'prompt\na fox\n') +
        filePart(second, 'two.csv', 'prompt\na heron\na boat\n') +
        `--${boundary}--\r\n`;
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/batches',
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        payload,
      });
      expect(res.statusCode, second).toBe(400);
      expect(res.json<ErrorReply>().error.message).toMatch(/more than one file/);
    }
    expect(await jobTotal(t.app)).toBe(0);
    expect(await spoolDirs()).toEqual([]);
  });

  it('takes a multipart upload in the field "file", format from the extension or the part type', async () => {
    const csv = multipartBody({
      filename: 'prompts.csv',
      type: 'application/vnd.ms-excel',
      content: 'prompt\na\nb\n',
    });
    const r1 = await t.app.inject({ method: 'POST', url: '/v1/batches', ...csv });
    expect(r1.statusCode).toBe(202);
    expect(r1.json<Created>().total).toBe(2);

    const jsonl = multipartBody({
      filename: 'upload',
      type: 'application/x-ndjson',
      content: '{"prompt":"x"}\n',
    });
    const r2 = await t.app.inject({ method: 'POST', url: '/v1/batches', ...jsonl });
    expect(r2.statusCode).toBe(202);
    expect(r2.json<Created>().total).toBe(1);

    const wrongField = multipartBody({
      field: 'upload',
      filename: 'p.csv',
      type: 'text/csv',
      content: 'prompt\na\n',
    });
    const r3 = await t.app.inject({ method: 'POST', url: '/v1/batches', ...wrongField });
    expect(r3.statusCode).toBe(400);
    expect(r3.json<ErrorReply>().error.message).toMatch(/field named "file"/);

    const unknown = multipartBody({
      filename: 'p.xlsx',
      type: 'application/octet-stream',
      content: 'prompt\na\n',
    });
    const r4 = await t.app.inject({ method: 'POST', url: '/v1/batches', ...unknown });
    expect(r4.statusCode).toBe(415);
    // It says which part was not understood, not that a multipart field "file" was missing.
    expect(r4.json<ErrorReply>().error.message).toMatch(
      /^The multipart file "p\.xlsx" \(application\/octet-stream\) is neither CSV nor JSONL/,
    );
    expect(await jobTotal(t.app)).toBe(3);
  });

  it('reads BOM, CRLF, ; and tab delimiters, quoted commas, quotes and newlines, blank lines, Unicode', async () => {
    const files = [
      '\uFEFFprompt,custom_id\r\n"a fox, running",a\r\n\r\n"say ""hi""",b\r\n',
      'prompt;custom_id\n"a fox, running";a\n"say ""hi""";b\n',
      'prompt\tcustom_id\n"a fox, running"\ta\n"say ""hi"""\tb\n',
    ];
    for (const file of files) {
      const res = await postBatch(t.app, file);
      expect(res.statusCode).toBe(202);
      const [a, b] = await jobsOf(res.json<Created>().id, [1, 2]);
      expect(a?.data.input.prompt).toBe('a fox, running');
      expect(b?.data.input.prompt).toBe('say "hi"');
    }
    const res = await postBatch(t.app, 'prompt,custom_id\n"line one\nline two",x\n"狐狸在雪中 🦊",y\n');
    expect(res.statusCode).toBe(202);
    const [a, b] = await jobsOf(res.json<Created>().id, [1, 2]);
    expect(a?.data.input.prompt).toBe('line one\nline two');
    expect(b?.data.input.prompt).toBe('狐狸在雪中 🦊');
  });

  it('uses ?model= for rows without a model, and deletes its temp file every time', async () => {
    const before = await spoolDirs();
    const res = await postBatch(t.app, 'prompt\na\n', 'text/csv', '?model=sber-ai/kandinsky5-distill-t2v');
    expect(res.statusCode).toBe(202);
    const bad = await postBatch(t.app, 'prompt,duration\na,7\n');
    expect(bad.statusCode).toBe(422);
    const bigger = await postBatch(t.app, `prompt\n${'x'.repeat(5000)}\n`);
    expect(bigger.statusCode).toBe(413);
    expect(before).toEqual([]);
    expect(await spoolDirs()).toEqual([]);
  });
});

describe('POST /v1/batches: rejected files enqueue nothing', () => {
  it('lists every row error with line, row and column (422), and enqueues nothing', async () => {
    const csv = 'prompt,duration,aspect_ratio,custom_id\nok,5,3:2,a\n,5,3:2,b\nfine,7,3:2,c\nalso,5,16:9,a\n';
    const res = await postBatch(t.app, csv);
    expect(res.statusCode).toBe(422);
    const { error } = res.json<ErrorReply>();
    expect(error.code).toBe('INVALID_ROWS');
    expect(error.message).toMatch(/nothing was enqueued/);
    expect(error.details?.error_count).toBe(4);
    const errors = error.details?.errors ?? [];
    expect(errors.map((e) => [e.line, e.row, e.column])).toEqual([
      [3, 2, 'prompt'],
      [4, 3, 'duration'],
      [5, 4, 'custom_id'],
      [5, 4, 'aspect_ratio'],
    ]);
    for (const e of errors) expect(e.message.length).toBeGreaterThan(5);
    expect(await jobTotal(t.app)).toBe(0);
  });

  it('lists at most 100 errors and counts them all', async () => {
    const big = await makeApp({ MAX_BATCH_ROWS: '1000' });
    try {
      const csv = `prompt,duration\n${'x,9\n'.repeat(150)}`;
      const res = await postBatch(big.app, csv);
      expect(res.statusCode).toBe(422);
      const { details } = res.json<ErrorReply>().error;
      expect(details?.errors).toHaveLength(100);
      expect(details?.error_count).toBe(150);
      expect(await jobTotal(big.app)).toBe(0);
    } finally {
      await big.close();
    }
  });

  it('with ?on_invalid=skip enqueues the valid rows and reports the skipped ones', async () => {
    const csv = 'prompt,duration\nok,5\nbad,7\nfine,10\n';
    const res = await postBatch(t.app, csv, 'text/csv', '?on_invalid=skip');
    expect(res.statusCode).toBe(202);
    const body = res.json<Created>();
    expect(body).toMatchObject({ total: 2, skipped: 1 });
    expect(body.skipped_rows).toEqual([expect.objectContaining({ line: 3, row: 2, column: 'duration' })]);
    const [one, two, three] = await jobsOf(body.id, [1, 2, 3]);
    expect(one?.data.input.prompt).toBe('ok');
    expect(two).toBeUndefined();
    expect(three?.data.input.prompt).toBe('fine');
    // Nothing valid at all: 422 even when skipping.
    const none = await postBatch(t.app, 'prompt,duration\nbad,7\n', 'text/csv', '?on_invalid=skip');
    expect(none.statusCode).toBe(422);
  });

  it('answers 413 by Content-Length, while streaming, and over MAX_BATCH_ROWS', async () => {
    const huge = `prompt\n${'a red fox\n'.repeat(500)}`;
    const declared = await postBatch(t.app, huge);
    expect(declared.statusCode).toBe(413);
    expect(declared.json<ErrorReply>().error.code).toBe('FILE_TOO_LARGE');

    // Chunked (no Content-Length): caught while the bytes arrive.
    const streamed = await t.app.inject({
      method: 'POST',
      url: '/v1/batches',
      headers: { 'content-type': 'text/csv', 'transfer-encoding': 'chunked' },
      payload: Readable.from([Buffer.from(huge.slice(0, 3000)), Buffer.from(huge.slice(3000))]),
    });
    expect(streamed.statusCode).toBe(413);
    expect(streamed.json<ErrorReply>().error.message).toMatch(/4000 bytes/);

    const rows = await postBatch(t.app, `prompt\n${'a\n'.repeat(21)}`);
    expect(rows.statusCode).toBe(413);
    expect(rows.json<ErrorReply>().error.code).toBe('TOO_MANY_ROWS');

    const multipart = multipartBody({ filename: 'p.csv', type: 'text/csv', content: huge });
    const viaForm = await t.app.inject({ method: 'POST', url: '/v1/batches', ...multipart });
    expect(viaForm.statusCode).toBe(413);
    expect(await jobTotal(t.app)).toBe(0);
  });

  it('answers 422 for a prompt over MAX_PROMPT_LENGTH and 415 for other media types', async () => {
    const long = await postBatch(t.app, `prompt\n${'x'.repeat(201)}\n`);
    expect(long.statusCode).toBe(422);
    expect(long.json<ErrorReply>().error.details?.errors?.[0]).toMatchObject({ line: 2, column: 'prompt' });
    const json = await t.app.inject({ method: 'POST', url: '/v1/batches', payload: { prompt: 'a' } });
    expect(json.statusCode).toBe(415);
    expect(json.json<ErrorReply>().error.message).toMatch(/text\/csv/);
    expect(await jobTotal(t.app)).toBe(0);
  });

  it('answers 400 for a webhook_url with a user name or password (it would be stored), without echoing it', async () => {
    const hook = encodeURIComponent('https://user:s3cret-pw@hooks.example.test/vidq');
    const res = await postBatch(t.app, 'prompt\na fox\n', 'text/csv', `?webhook_url=${hook}`);
    expect(res.statusCode).toBe(400);
    expect(res.json<ErrorReply>().error.message).toMatch(
      /^webhook_url must not carry a user name or password/,
    );
    expect(res.body).not.toContain('s3cret-pw');
    expect(await jobTotal(t.app)).toBe(0);
  });
});

describe('OpenAPI', () => {
  it('documents the upload media types and the batch shapes', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json<{
      paths: Record<string, Record<string, { requestBody?: { content: object }; responses: object }>>;
    }>();
    const post = doc.paths['/v1/batches']?.post;
    expect(Object.keys(post?.requestBody?.content ?? {})).toEqual(
      expect.arrayContaining([
        'text/csv',
        'application/x-ndjson',
        'application/jsonl',
        'multipart/form-data',
      ]),
    );
    expect(Object.keys(post?.responses ?? {})).toEqual(expect.arrayContaining(['202', '413', '422']));
    expect(Object.keys(doc.paths['/v1/batches/{id}'] ?? {}).sort()).toEqual(['delete', 'get', 'patch']);
  });
});

describe('GET /v1/batches/:id', () => {
  it('answers 404 for an unknown batch', async () => {
    for (const url of ['/v1/batches/bat_nope', '/v1/batches/bat_nope/results']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(404);
      expect(res.json<ErrorReply>().error.code).toBe('BATCH_NOT_FOUND');
    }
  });
});
