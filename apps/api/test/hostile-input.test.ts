import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '@vidqueue/core/runtime';
import { LogSink } from '@vidqueue/testkit';
import { startApi, type RunningApi } from '../src/server.js';
import { deletePrefix, makeApp, testConfig, type TestApp } from './helpers.js';
import { postBatch, usePrivateTmpdir, type ErrorReply } from './batch-helpers.js';

// What an attacker's probes found (or could have): each a clear 4xx in the API's error shape, nothing
// enqueued, nothing secret in the logs.
usePrivateTmpdir();

let t: TestApp | undefined;
let running: { api: RunningApi; close(): Promise<void> } | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
  await running?.close();
  running = undefined;
});

const json = (body: string | Buffer) => ({
  method: 'POST' as const,
  url: '/v1/videos',
  headers: { 'content-type': 'application/json' },
  payload: body,
});

describe('JSON bodies', () => {
  it('refuses invalid UTF-8 instead of storing U+FFFD in a prompt (nothing enqueued)', async () => {
    t = await makeApp();
    const res = await t.app.inject(json(Buffer.from('{"prompt":"a\xff\xfeb"}', 'latin1')));
    expect(res.statusCode).toBe(400);
    expect(res.json<ErrorReply>().error.message).toMatch(/not valid UTF-8/);
    expect(await t.app.queue.count()).toBe(0);
  });

  it('names a syntax error and where it is', async () => {
    t = await makeApp();
    const res = await t.app.inject(json('{"prompt":"x",}'));
    expect(res.statusCode).toBe(400);
    expect(res.json<ErrorReply>().error.message).toMatch(/not valid JSON: .*position 14/);
  });

  it('names a __proto__ or constructor.prototype key instead of calling the body invalid JSON', async () => {
    t = await makeApp();
    for (const body of [
      '{"prompt":"x","metadata":{"__proto__":"a"}}',
      '{"prompt":"x","metadata":{"constructor":{"prototype":{"p":1}}}}',
    ]) {
      const res = await t.app.inject(json(body));
      expect(res.statusCode, body).toBe(400);
      expect(res.json<ErrorReply>().error.message, body).toMatch(/has a key "(__proto__|constructor)/);
    }
    // A key merely named "constructor" is an ordinary metadata key.
    const ok = await t.app.inject(json('{"prompt":"x","metadata":{"constructor":"y"}}'));
    expect(ok.statusCode, ok.body).toBe(202);
  });

  it('refuses a file body on the batch routes that take JSON (415), not its stream as unknown fields', async () => {
    t = await makeApp();
    const created = await postBatch(t.app, 'prompt\na red fox\n');
    expect(created.statusCode).toBe(202);
    const id = created.json<{ id: string }>().id;
    for (const [method, url] of [
      ['POST', `/v1/batches/${id}/retry`],
      ['PATCH', `/v1/batches/${id}`],
    ] as const) {
      for (const type of ['text/csv', 'application/x-ndjson', 'multipart/form-data; boundary=x']) {
        const res = await t.app.inject({ method, url, headers: { 'content-type': type }, payload: 'x' });
        expect(res.statusCode, `${method} ${url} ${type}`).toBe(415);
        expect(res.json<ErrorReply>().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
        expect(res.body).not.toMatch(/_readableState|socket/);
      }
    }
  });
});

describe('query parameters', () => {
  it('says a parameter was given twice instead of "expected number, received NaN"', async () => {
    t = await makeApp();
    const res = await t.app.inject({ method: 'GET', url: '/v1/batches?limit=1&limit=2' });
    expect(res.statusCode).toBe(400);
    expect(res.json<ErrorReply>().error).toMatchObject({
      code: 'VALIDATION_ERROR',
      details: [{ path: 'querystring.limit', message: 'is given 2 times; give it once' }],
    });
    expect((await t.app.inject({ method: 'GET', url: '/v1/batches?limit=1' })).statusCode).toBe(200);
  });
});

describe('metadata keys', () => {
  it('refuses a __proto__ column in a batch as an invalid row, as a video refuses the key', async () => {
    t = await makeApp();
    const res = await postBatch(t.app, 'prompt,__proto__\na red fox,b\n');
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('__proto__');
    expect(await t.app.queue.count()).toBe(0);
  });
});

describe('what Node refuses before a route runs, and the logs', () => {
  async function start() {
    const config = testConfig({ PORT: '0', API_TOKENS: 'right-token-77c1' });
    const sink = new LogSink();
    const api = await startApi({ config, logger: createLogger({ level: 'debug', destination: sink }) });
    running = {
      api,
      async close() {
        await api.close();
        await deletePrefix(config);
      },
    };
    return { api, sink };
  }

  /** Sends raw bytes and reads the whole answer (the server closes the connection). */
  function raw(url: string, bytes: string): Promise<string> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => socket.write(bytes));
      let answer = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (answer += chunk));
      socket.on('close', () => resolve(answer));
      socket.on('error', reject);
    });
  }

  it('answers malformed HTTP and oversized headers in the error shape, with the security headers', async () => {
    const { api } = await start();
    const cases: [string, RegExp, string][] = [
      [
        'GET /v1/videos HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
        /^HTTP\/1.1 400/,
        'BAD_REQUEST',
      ],
      ['GET /v1/videos HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n', /^HTTP\/1.1 400/, 'BAD_REQUEST'],
      [
        `GET /v1/videos HTTP/1.1\r\nHost: x\r\nX-Junk: ${'a'.repeat(20_000)}\r\n\r\n`,
        /^HTTP\/1.1 431/,
        'HEADERS_TOO_LARGE',
      ],
    ];
    for (const [bytes, status, code] of cases) {
      const answer = await raw(api.url, bytes);
      expect(answer, bytes.slice(0, 60)).toMatch(status);
      expect(answer.toLowerCase()).toContain('x-content-type-options: nosniff');
      expect(answer.toLowerCase()).toContain('x-frame-options: deny');
      const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as ErrorReply;
      expect(body.error.code).toBe(code);
    }
  });

  it('never logs a query string: a token put there stays out of the log', async () => {
    const { api, sink } = await start();
    const res = await fetch(`${api.url}/v1/batches?token=right-token-77c1&access_token=right-token-77c1`);
    expect(res.status).toBe(401);
    await expect.poll(() => sink.lines.some((l) => l.msg === 'request completed')).toBe(true);
    expect(sink.text()).not.toContain('right-token-77c1');
    const incoming = sink.lines.find((l) => l.msg === 'incoming request');
    expect(incoming?.req).toMatchObject({ method: 'GET', url: '/v1/batches?…' });
  });
});
