import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccountError,
  ModelNotAllowedError,
  PermanentError,
  TransientError,
  UnknownOutcomeError,
  createAimlApiClient,
  isAimlApiError,
  isModelNotAllowed,
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
  const same: Array<[number, ErrorKind, new (message: string) => AimlApiError]> = [
    [400, 'permanent', PermanentError],
    [404, 'permanent', PermanentError],
    [405, 'permanent', PermanentError],
    [413, 'permanent', PermanentError],
    [422, 'permanent', PermanentError],
    [401, 'account', AccountError],
    // Payment Required: not in the reference's table, but the same "this account cannot spend" as its 403.
    [402, 'account', AccountError],
    [403, 'account', AccountError],
    [409, 'transient', TransientError],
    [425, 'transient', TransientError],
    [429, 'transient', TransientError],
    [500, 'transient', TransientError],
    [503, 'transient', TransientError],
    [521, 'transient', TransientError],
    [522, 'transient', TransientError],
  ];
  it.each(same)('%i is %s on create and on get', async (status, kind, cls) => {
    provider.handle(reply(status, { message: `status ${status}`, statusCode: String(status) }));
    for (const call of [createCall, () => client.get('g1')]) {
      const error = await caught(call);
      expect(error).toBeInstanceOf(cls);
      expect(isAimlApiError(error)).toBe(true);
      expect(error).toMatchObject({ kind, status, providerMessage: `status ${status}` });
    }
  });

  // A gateway answering after it passed the create on: the provider may have accepted (and will bill) it.
  it.each([408, 502, 504, 520, 524, 598, 599])(
    '%i is unknown_outcome on create, transient on get',
    async (status) => {
      provider.handle(reply(status, { message: `status ${status}` }));
      const created = await caught(createCall);
      expect(created).toBeInstanceOf(UnknownOutcomeError);
      expect(created).toMatchObject({ kind: 'unknown_outcome', status, providerMessage: `status ${status}` });
      expect((created as Error).message).toMatch(/the generation may have been created$/);
      expect(await caught(() => client.get('g1'))).toMatchObject({ kind: 'transient', status });
    },
  );
});

describe('a redirect', () => {
  // The API answers none; one would come from a proxy or a base URL written with http://. Following it
  // would resend the key and the request elsewhere, and turn a create's POST into a GET.
  it.each([301, 302, 307, 308])('%i is not followed: permanent, one request sent', async (status) => {
    provider.requests.length = 0;
    provider.handle(reply(status, '', { location: `${provider.baseUrl}/elsewhere` }));
    for (const call of [createCall, () => client.get('g1')]) {
      expect(await caught(call)).toMatchObject({ kind: 'permanent', status });
    }
    expect(provider.requests.map((r) => r.url)).not.toContain('/elsewhere');
    expect(provider.requests).toHaveLength(2);
  });
});

describe('403: this model for this account, or the account', () => {
  const MODEL = 'sber-ai/kandinsky5-distill-t2v';
  const createIt = () => client.create({ model: MODEL, prompt: 'p' });
  const model403: string[] = [
    // The simulator's sentence, and other wordings the rule must read the same way.
    `Model ${MODEL} is not available for your account's plan (tier). Upgrade your plan or use another model.`,
    `The model "${MODEL}" is not allowed for this API key`,
    `Your account does not have access to ${MODEL}.`,
    `kandinsky5-distill-t2v is unavailable on the free tier`,
    `Access to model ${MODEL.toUpperCase()} is not permitted`,
  ];
  it.each(model403)('"%s" is model_not_allowed', async (message) => {
    provider.handle(reply(403, { message, statusCode: 403 }));
    const error = await caught(createIt);
    expect(error).toBeInstanceOf(ModelNotAllowedError);
    expect(error).toMatchObject({
      kind: 'model_not_allowed',
      status: 403,
      model: MODEL,
      providerMessage: message,
    });
  });

  const account403: string[] = [
    'You have run out of credits. Top up your balance or upgrade your plan to continue.',
    // Both mention "plan"; neither names the model.
    'Your plan does not include this feature',
    'Forbidden',
    // Names the model but speaks of money: ambiguous, so the account pause (it keeps every job).
    `Model ${MODEL} is not available: insufficient credits`,
    // Names another model.
    'Model openai/sora-2-t2v is not available for your account',
    // Names the model without saying it is refused.
    `Request for ${MODEL} was forbidden`,
  ];
  it.each(account403)('"%s" is account-wide', async (message) => {
    provider.handle(reply(403, { message }));
    expect(await caught(createIt)).toMatchObject({ kind: 'account', status: 403 });
  });

  it('is account-wide on a read, whatever it says', async () => {
    provider.handle(reply(403, { message: model403[0] }));
    expect(await caught(() => client.get('g1'))).toMatchObject({ kind: 'account', status: 403 });
  });

  it('reads the rule the same way as isModelNotAllowed', () => {
    expect(isModelNotAllowed(model403[0], MODEL)).toBe(true);
    expect(isModelNotAllowed(model403[0], undefined)).toBe(false);
    expect(isModelNotAllowed(undefined, MODEL)).toBe(false);
    // A longer id that merely starts with ours is another model.
    expect(isModelNotAllowed(`Model ${MODEL}-pro is not available`, MODEL)).toBe(false);
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
    provider.handle(reply(502, 'x'.repeat(3000), { 'content-type': 'text/plain' }));
    const long = (await caught(() => client.get('g1'))) as AimlApiError;
    expect(long.providerMessage?.length).toBe(500);
    provider.handle((_req, res) => res.writeHead(503).end());
    const empty = (await caught(() => client.get('g1'))) as AimlApiError;
    expect(empty.providerMessage).toBeUndefined();
    expect(empty.message).toBe('AI/ML API get failed with HTTP 503');
  });

  it('reduces an HTML page from a proxy to its title, never its markup', async () => {
    const page =
      '<!DOCTYPE html><html><head><title>example.com | 524: A timeout occurred</title>' +
      `<style>body{color:red}</style></head><body><h1>A timeout occurred</h1>${'<div>x</div>'.repeat(500)}</body></html>`;
    provider.handle(reply(524, page, { 'content-type': 'text/html; charset=UTF-8' }));
    const error = (await caught(createCall)) as AimlApiError;
    expect(error).toMatchObject({ kind: 'unknown_outcome', status: 524 });
    expect(error.providerMessage).toBe(
      "example.com | 524: A timeout occurred (an HTML error page, not the provider's JSON)",
    );
    expect(error.message).not.toContain('<');

    provider.handle(
      reply(408, `<html><body><p>Request &amp; ${'y'.repeat(400)}</p></body></html>`, {
        'content-type': 'text/html',
      }),
    );
    const untitled = (await caught(createCall)) as AimlApiError;
    expect(untitled).toMatchObject({ kind: 'unknown_outcome', status: 408 });
    expect(untitled.providerMessage).toMatch(/^Request & y+… \(an HTML error page/);
    expect(untitled.providerMessage!.length).toBeLessThan(220);
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
