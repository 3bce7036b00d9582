import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccountError,
  PermanentError,
  TransientError,
  createAimlApiClient,
  isAimlApiError,
  parseRetryAfter,
  type AimlApiClient,
  type AimlApiError,
  type ErrorKind,
} from '../src/index.js';
import { caught, reply, startFakeProvider, type FakeProvider } from './fake-provider.js';

const KEY = 'sk-live-Zq81xY7uNaT3sEcReT';

let provider: FakeProvider;
let client: AimlApiClient;

beforeAll(async () => {
  provider = await startFakeProvider();
  client = createAimlApiClient({ apiKey: KEY, baseUrl: provider.baseUrl });
});
afterAll(() => provider.close());

const createCall = () => client.create({ model: 'sber-ai/kandinsky5-distill-t2v', prompt: 'p' });

describe('HTTP status → kind', () => {
  const cases: Array<[number, ErrorKind, new (message: string) => AimlApiError]> = [
    [400, 'permanent', PermanentError],
    [404, 'permanent', PermanentError],
    [405, 'permanent', PermanentError],
    [413, 'permanent', PermanentError],
    [422, 'permanent', PermanentError],
    [401, 'account', AccountError],
    [403, 'account', AccountError],
    [408, 'transient', TransientError],
    [409, 'transient', TransientError],
    [425, 'transient', TransientError],
    [429, 'transient', TransientError],
    [500, 'transient', TransientError],
    [502, 'transient', TransientError],
    [503, 'transient', TransientError],
    [504, 'transient', TransientError],
  ];
  it.each(cases)('%i is %s on create and on get', async (status, kind, cls) => {
    provider.handle(reply(status, { message: `status ${status}`, statusCode: String(status) }));
    for (const call of [createCall, () => client.get('g1')]) {
      const error = await caught(call);
      expect(error).toBeInstanceOf(cls);
      expect(isAimlApiError(error)).toBe(true);
      expect(error).toMatchObject({ kind, status, providerMessage: `status ${status}` });
    }
  });
});

describe('provider error envelopes → message', () => {
  const cases: Array<[string, string, string, string]> = [
    [
      'the usual { message, path, requestId, statusCode, timestamp }',
      JSON.stringify({
        message: "You've run out of credits.",
        path: '/v2/video/generations',
        requestId: 'req-123',
        statusCode: 403,
        timestamp: '2025-11-20T10:00:00.000Z',
      }),
      'application/json',
      "You've run out of credits.",
    ],
    [
      'problem+json with message',
      JSON.stringify({
        title: 'Forbidden',
        status: 403,
        message: 'Plan limit',
        error: { name: 'E', message: 'inner' },
      }),
      'application/problem+json',
      'Plan limit',
    ],
    [
      'problem+json with only error.message',
      JSON.stringify({
        title: 'Forbidden',
        status: 403,
        error: { name: 'LimitError', message: 'Daily limit reached' },
      }),
      'application/problem+json',
      'Daily limit reached',
    ],
    [
      'problem+json with only a title',
      JSON.stringify({ title: 'Forbidden', status: 403 }),
      'application/problem+json',
      'Forbidden',
    ],
    ['plain text', 'upstream connect error', 'text/plain', 'upstream connect error'],
    ['a JSON string', JSON.stringify('just a string'), 'application/json', 'just a string'],
  ];
  it.each(cases)('%s', async (_shape, body, contentType, message) => {
    provider.handle(reply(403, body, { 'content-type': contentType }));
    const error = await caught(() => client.get('g1'));
    expect(error).toMatchObject({ kind: 'account', providerMessage: message });
    expect((error as Error).message).toBe(`AI/ML API get failed with HTTP 403: ${message}`);
  });

  it('keeps the request id from the body, or from x-request-id', async () => {
    provider.handle(reply(500, { message: 'boom', requestId: 'req-body' }, { 'x-request-id': 'req-header' }));
    expect(await caught(() => client.get('g1'))).toMatchObject({ requestId: 'req-body' });
    provider.handle(reply(500, { message: 'boom' }, { 'x-request-id': 'req-header' }));
    expect(await caught(() => client.get('g1'))).toMatchObject({ requestId: 'req-header' });
  });

  it('keeps the expected/received hints of a 400 body validation error', async () => {
    provider.handle(
      reply(400, {
        message: 'Body validation error!',
        errors: [
          {
            path: ['aspect_ratio'],
            message: 'Invalid enum value',
            expected: "'3:2' | '1:1' | '2:3'",
            received: '16:9',
          },
        ],
      }),
    );
    const error = await caught(createCall);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as AimlApiError).providerMessage).toBe(
      "Body validation error!: aspect_ratio: Invalid enum value (expected '3:2' | '1:1' | '2:3', received 16:9)",
    );
  });

  it('keeps hints that arrive inside a multi-line message, or as a list of messages', async () => {
    provider.handle(
      reply(400, {
        message: "Body validation error\nInvalid enum value. Expected '5' | '10', received '7'",
        statusCode: '400',
      }),
    );
    expect(await caught(createCall)).toMatchObject({
      providerMessage: "Body validation error Invalid enum value. Expected '5' | '10', received '7'",
    });
    provider.handle(
      reply(400, { message: ['duration must be 5 or 10', 'prompt is required'], error: 'Bad Request' }),
    );
    expect(await caught(createCall)).toMatchObject({
      providerMessage: 'duration must be 5 or 10; prompt is required',
    });
  });

  it('reads FastAPI-style { detail: [{ loc, msg }] }', async () => {
    provider.handle(
      reply(422, { detail: [{ loc: ['body', 'duration'], msg: 'value is not a valid enum' }] }),
    );
    expect(await caught(createCall)).toMatchObject({
      kind: 'permanent',
      providerMessage: 'body.duration: value is not a valid enum',
    });
  });

  it('truncates a long raw body and works without any body', async () => {
    provider.handle(reply(502, `<html>${'x'.repeat(3000)}</html>`, { 'content-type': 'text/html' }));
    const long = (await caught(() => client.get('g1'))) as AimlApiError;
    expect(long.providerMessage?.length).toBe(500);
    provider.handle((_req, res) => res.writeHead(503).end());
    const empty = (await caught(() => client.get('g1'))) as AimlApiError;
    expect(empty.providerMessage).toBeUndefined();
    expect(empty.message).toBe('AI/ML API get failed with HTTP 503');
  });
});

describe('Retry-After', () => {
  it('reads seconds', async () => {
    provider.handle(reply(429, { message: 'Too Many Requests' }, { 'retry-after': '7' }));
    expect(await caught(createCall)).toMatchObject({ kind: 'transient', status: 429, retryAfterMs: 7000 });
  });

  it('reads an HTTP date', async () => {
    const at = new Date(Date.now() + 120_000).toUTCString();
    provider.handle(reply(429, { message: 'Too Many Requests' }, { 'retry-after': at }));
    const error = (await caught(createCall)) as AimlApiError;
    // toUTCString drops milliseconds, and time passes during the call.
    expect(error.retryAfterMs).toBeGreaterThan(115_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(120_000);
  });

  it('is honoured on 503 too, and ignored when garbage', async () => {
    provider.handle(reply(503, { message: 'maintenance' }, { 'retry-after': '30' }));
    expect(await caught(() => client.get('g1'))).toMatchObject({ retryAfterMs: 30_000 });
    provider.handle(reply(429, { message: 'slow down' }, { 'retry-after': 'soon-ish' }));
    expect(((await caught(() => client.get('g1'))) as AimlApiError).retryAfterMs).toBeUndefined();
  });

  it('parses the header forms', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter(' 12 ', now)).toBe(12_000);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
    for (const bad of [null, undefined, '', '-5', 'abc', '1e3', '12 seconds']) {
      expect(parseRetryAfter(bad, now)).toBeUndefined();
    }
  });
});

describe('the API key never appears in an error', () => {
  it('even when the provider echoes the Authorization header or the key', async () => {
    const echoes = [
      (auth: string) => ({ message: `Invalid key: ${auth}` }),
      (auth: string) => ({ message: `key ${auth.slice(7)} is revoked` }),
      (auth: string) => ({
        title: 'Unauthorized',
        error: { name: 'AuthError', message: `got header ${auth}` },
      }),
      (auth: string) => ({ message: 'Body validation error!', errors: [{ path: 'x', received: auth }] }),
    ];
    for (const echo of echoes) {
      for (const status of [400, 401, 500]) {
        provider.handle((req, res) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(echo(req.headers.authorization ?? '')));
        });
        for (const call of [createCall, () => client.get('g1')]) {
          const error = await caught(call);
          expect(isAimlApiError(error)).toBe(true);
          const everything = `${String(error)} ${inspect(error, { depth: 10 })} ${JSON.stringify(error)}`;
          expect(everything).not.toContain(KEY);
          expect(everything).toContain('[redacted]');
        }
      }
    }
  });

  it('nor in the failure message of a generation', async () => {
    provider.handle(reply(200, { id: 'g1', status: 'error', error: `bad key ${KEY}` }));
    expect((await client.get('g1')).error).toBe('bad key [redacted]');
  });
});
