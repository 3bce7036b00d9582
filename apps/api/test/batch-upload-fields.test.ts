import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { vidqKeys } from '@vidqueue/core/contract';
import { makeApp, testRedis, type TestApp } from './helpers.js';
import {
  jobTotal,
  postBatch,
  spoolDirs,
  usePrivateTmpdir,
  type Created,
  type ErrorReply,
} from './batch-helpers.js';

/** Where a batch's webhook target and the options of an upload come from: the query and the multipart fields. */

usePrivateTmpdir();

const SECRET = { WEBHOOK_SECRET: 'whsec_Y29udHJhY3QtdGVzdC1zaWduaW5nLWtleQ==' };
let t: TestApp;

beforeEach(async () => {
  t = await makeApp(SECRET);
});

afterEach(async () => {
  await t.close();
});

type Part = { name: string; value: string } | { name: string; filename: string; content: string };

/** A multipart body in the parts' order, sent in one chunk per part with event-loop turns between. */
function multipart(parts: Part[]): { payload: Readable; headers: Record<string, string> } {
  const boundary = `----vidqfields${Math.random().toString(16).slice(2)}`;
  const chunks = parts.map((p) =>
    'filename' in p
      ? `--${boundary}\r\ncontent-disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\ncontent-type: text/csv\r\n\r\n${p.content}\r\n`
      : `--${boundary}\r\ncontent-disposition: form-data; name="${p.name}"\r\n\r\n${p.value}\r\n`,
  );
  chunks.push(`--${boundary}--\r\n`);
  async function* slowly() {
    for (const chunk of chunks) {
      yield Buffer.from(chunk);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return {
    payload: Readable.from(slowly()),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

async function post(parts: Part[], query = '') {
  return t.app.inject({ method: 'POST', url: `/v1/batches${query}`, ...multipart(parts) });
}

async function savedTarget(batchId: string): Promise<unknown> {
  const redis = testRedis();
  try {
    const raw = await redis.get(vidqKeys(t.config.QUEUE_PREFIX).batchWebhook(batchId));
    return raw === null ? null : JSON.parse(raw);
  } finally {
    redis.disconnect();
  }
}

const FILE = { name: 'file', filename: 'p.csv', content: 'prompt\na fox\na heron\n' };
const HOOK = 'https://hooks.example.test/vidq';

describe('POST /v1/batches: multipart fields', () => {
  it('reads webhook_url and webhook_events wherever they are in the body, before the file or after it', async () => {
    for (const parts of [
      [{ name: 'webhook_url', value: HOOK }, { name: 'webhook_events', value: 'batch.completed' }, FILE],
      [FILE, { name: 'webhook_url', value: HOOK }, { name: 'webhook_events', value: 'batch.completed' }],
      [{ name: 'webhook_url', value: HOOK }, FILE, { name: 'webhook_events', value: 'batch.completed' }],
    ]) {
      const res = await post(parts);
      expect(res.statusCode, res.body).toBe(202);
      const { id } = res.json<Created>();
      expect(await savedTarget(id)).toEqual({ url: HOOK, events: ['batch.completed'] });
    }
  });

  it('lets the query win over a field of the same name', async () => {
    const res = await post(
      [FILE, { name: 'webhook_url', value: 'https://other.example.test/' }],
      `?webhook_url=${encodeURIComponent(HOOK)}`,
    );
    expect(res.statusCode).toBe(202);
    expect(await savedTarget(res.json<Created>().id)).toEqual({ url: HOOK });
  });

  it('answers 400 for an option sent as a field (it is a query parameter), an unknown field, or a field given twice; nothing enqueued', async () => {
    const cases: [Part[], RegExp][] = [
      [
        [FILE, { name: 'model', value: 'google/veo-3.1-t2v' }],
        /multipart field "model" is not read: give it in the query string \(POST \/v1\/batches\?model=…\)/,
      ],
      [
        [{ name: 'on_invalid', value: 'skip' }, FILE],
        /"on_invalid" is not read: give it in the query string/,
      ],
      [[FILE, { name: 'colour', value: 'red' }], /multipart field "colour" is not a field of an upload/],
      [
        [
          { name: 'webhook_url', value: HOOK },
          FILE,
          { name: 'webhook_url', value: 'https://b.example.test/' },
        ],
        /multipart field "webhook_url" is given 2 times; give it once/,
      ],
    ];
    for (const [parts, message] of cases) {
      const res = await post(parts);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json<ErrorReply>().error).toMatchObject({ code: 'BAD_REQUEST' });
      expect(res.json<ErrorReply>().error.message).toMatch(message);
    }
    expect(await jobTotal(t.app)).toBe(0);
    expect(await spoolDirs()).toEqual([]);
  });
});

describe('POST /v1/batches: a webhook_url no delivery could reach', () => {
  it('answers 400 for a private address, in the query or a field, unless WEBHOOK_ALLOW_PRIVATE', async () => {
    const hook = 'http://10.1.2.3:8080/hook';
    for (const res of [
      await postBatch(t.app, 'prompt\na fox\n', 'text/csv', `?webhook_url=${encodeURIComponent(hook)}`),
      await post([FILE, { name: 'webhook_url', value: hook }]),
    ]) {
      expect(res.statusCode).toBe(400);
      const { code, details } = res.json<{
        error: { code: string; details: { path: string; message: string }[] };
      }>().error;
      expect(code).toBe('VALIDATION_ERROR');
      expect(details.map((d) => d.path)).toEqual(['webhook_url']);
      expect(details[0]?.message).toMatch(/10\.1\.2\.3, .*\(private\)/);
    }
    expect(await jobTotal(t.app)).toBe(0);

    const open = await makeApp({ ...SECRET, WEBHOOK_ALLOW_PRIVATE: 'true' });
    try {
      const res = await postBatch(
        open.app,
        'prompt\na fox\n',
        'text/csv',
        `?webhook_url=${encodeURIComponent(hook)}`,
      );
      expect(res.statusCode).toBe(202);
    } finally {
      await open.close();
    }
  });
});
