import { getEventListeners } from 'node:events';
import type { ServerResponse } from 'node:http';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  TransientError,
  UnknownOutcomeError,
  createAimlApiClient,
  isAbortError,
  type AimlApiClient,
} from '../src/index.js';
import { caught, closedPort, reply, startFakeProvider, type FakeProvider } from './fake-provider.js';

const KEY = 'sk-net-4f1b2c3d4e5f';
const TIMEOUT_MS = 200;
const params = { model: 'sber-ai/kandinsky5-distill-t2v', prompt: 'a lighthouse at dusk' };

let provider: FakeProvider;
let client: AimlApiClient;
let held: ServerResponse[];

beforeEach(async () => {
  provider = await startFakeProvider();
  client = createAimlApiClient({ apiKey: KEY, baseUrl: provider.baseUrl, timeoutMs: TIMEOUT_MS });
  held = [];
});
afterEach(async () => {
  for (const res of held) res.destroy();
  await provider.close();
});

/** The server reads the request and never answers. */
function neverAnswer(): void {
  provider.handle((_req, res) => held.push(res));
}

/** The server reads the request, then drops the connection without a status line. */
function dropConnection(): void {
  provider.handle((req) => req.socket.destroy());
}

describe('connection refused (nothing listens)', () => {
  it('is transient for create and for get: nothing was sent', async () => {
    const refused = createAimlApiClient({ apiKey: KEY, baseUrl: `http://127.0.0.1:${await closedPort()}` });
    for (const call of [() => refused.create(params), () => refused.get('g1')]) {
      const error = await caught(call);
      expect(error).toBeInstanceOf(TransientError);
      expect((error as Error).message).toContain('ECONNREFUSED');
      expect((error as Error).message).toContain('nothing was sent');
      expect(inspect(error, { depth: 10 })).not.toContain(KEY);
    }
  });
});

describe('timeouts', () => {
  it('a create with no answer is an unknown outcome: it may have been created', async () => {
    neverAnswer();
    const started = Date.now();
    const error = await caught(() => client.create(params));
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect(error).toMatchObject({ kind: 'unknown_outcome', timedOut: true });
    expect((error as Error).message).toContain(`no answer within ${TIMEOUT_MS} ms`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
    expect(provider.requests).toHaveLength(1);
  });

  it('a get with no answer is transient (reads are safe to repeat)', async () => {
    neverAnswer();
    const error = await caught(() => client.get('g1'));
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ kind: 'transient', timedOut: true });
    expect(isAbortError(error)).toBe(false);
  });

  it('a create whose 2xx body stalls is an unknown outcome', async () => {
    provider.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"id":"g1",');
      held.push(res);
    });
    expect(await caught(() => client.create(params))).toBeInstanceOf(UnknownOutcomeError);
  });

  it('an error status whose body stalls is still classified by its status', async () => {
    provider.handle((_req, res) => {
      res.writeHead(429, { 'retry-after': '3' });
      res.write('{"message":');
      held.push(res);
    });
    expect(await caught(() => client.create(params))).toMatchObject({
      kind: 'transient',
      status: 429,
      retryAfterMs: 3000,
    });
  });
});

describe('connection lost mid-request', () => {
  it('on create is an unknown outcome', async () => {
    dropConnection();
    const error = await caught(() => client.create(params));
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect((error as Error).message).toMatch(/UND_ERR_SOCKET|ECONNRESET|socket/i);
    expect(provider.requests).toHaveLength(1);
    expect(inspect(error, { depth: 10 })).not.toContain(KEY);
  });

  it('on get is transient', async () => {
    dropConnection();
    expect(await caught(() => client.get('g1'))).toBeInstanceOf(TransientError);
  });

  it('during a 2xx body on create is an unknown outcome', async () => {
    provider.handle((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
      res.write('{"id":"g1"', () => req.socket.destroy());
    });
    expect(await caught(() => client.create(params))).toBeInstanceOf(UnknownOutcomeError);
  });
});

describe('caller abort', () => {
  it('before sending: transient, marked aborted, nothing sent', async () => {
    const controller = new AbortController();
    controller.abort();
    for (const call of [
      () => client.create(params, { signal: controller.signal }),
      () => client.get('g1', { signal: controller.signal }),
    ]) {
      const error = await caught(call);
      expect(error).toBeInstanceOf(TransientError);
      expect(isAbortError(error)).toBe(true);
    }
    expect(provider.requests).toHaveLength(0);
  });

  it('during a create: unknown outcome, marked aborted, not timed out', async () => {
    const controller = new AbortController();
    provider.handle((_req, res) => {
      held.push(res);
      controller.abort();
    });
    const slow = createAimlApiClient({ apiKey: KEY, baseUrl: provider.baseUrl, timeoutMs: 10_000 });
    const error = await caught(() => slow.create(params, { signal: controller.signal }));
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect(error).toMatchObject({ aborted: true });
    expect((error as { timedOut?: boolean }).timedOut).toBeUndefined();
    expect(isAbortError(error)).toBe(true);
  });

  it('during a get: transient, marked aborted', async () => {
    const controller = new AbortController();
    provider.handle((_req, res) => {
      held.push(res);
      controller.abort();
    });
    const error = await caught(() => client.get('g1', { signal: controller.signal }));
    expect(error).toBeInstanceOf(TransientError);
    expect(isAbortError(error)).toBe(true);
  });

  it('a long-lived caller signal changes nothing and keeps no listener after each call', async () => {
    const controller = new AbortController();
    provider.handle(reply(200, { id: 'g1', status: 'queued' }));
    for (let i = 0; i < 3; i++) {
      expect((await client.get('g1', { signal: controller.signal })).phase).toBe('pending');
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    }
    provider.handle(reply(500, { message: 'boom' }));
    await caught(() => client.create(params, { signal: controller.signal }));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
