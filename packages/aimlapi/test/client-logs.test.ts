import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AccountError,
  PermanentError,
  TransientError,
  createAimlApiClient,
  type AimlApiClient,
} from '../src/index.js';
import { caught, reply, startFakeProvider, type FakeProvider } from './fake-provider.js';

const KEY = 'sk-live-Logs81xY7uNaT3sEcReT';
const WINDOW = { start: new Date('2026-08-21T10:00:00Z'), end: new Date('2026-08-21T10:05:00Z') };

let provider: FakeProvider;
let client: AimlApiClient;

beforeAll(async () => {
  provider = await startFakeProvider();
  client = createAimlApiClient({ apiKey: KEY, baseUrl: `${provider.baseUrl}/v2/` });
});
afterAll(() => provider.close());
beforeEach(() => {
  provider.requests.length = 0;
});

const ROW = {
  created: '2026-08-21T10:01:02.345Z',
  status: 'succeeded',
  origin: 'api',
  model: 'sber-ai/kandinsky5-distill-t2v',
  cost: { usd: 0.1, credits: 200_000 },
  tokens: { input: 0, output: 0, total: 0 },
  request_id: 'req-1',
  inference_id: '0a3ca8ba-9af6-41d3-a938-41f762fcedc1:sber-ai/kandinsky5-distill-t2v',
  client_request_id: 'vid_abc-1-x1y2z3w4',
};

describe('client.logs', () => {
  it('sends the window, repeated filters and paging, with the key, and reads typed rows', async () => {
    provider.handle(
      reply(200, { data: [ROW], pagination: { limit: 100, offset: 200, total: 201, has_more: false } }),
    );
    const page = await client.logs({
      ...WINDOW,
      model: ['sber-ai/kandinsky5-distill-t2v', 'a,b'],
      status: ['succeeded', 'failed'],
      limit: 100,
      offset: 200,
    });
    const [request] = provider.requests;
    const url = new URL(request!.url, 'http://x');
    expect(url.pathname).toBe('/v2/logs');
    expect(url.searchParams.get('start')).toBe('2026-08-21T10:00:00.000Z');
    expect(url.searchParams.get('end')).toBe('2026-08-21T10:05:00.000Z');
    expect(url.searchParams.getAll('model')).toEqual(['sber-ai/kandinsky5-distill-t2v', 'a,b']);
    expect(url.searchParams.getAll('status')).toEqual(['succeeded', 'failed']);
    expect([url.searchParams.get('limit'), url.searchParams.get('offset')]).toEqual(['100', '200']);
    expect(request!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(page).toEqual({
      rows: [
        {
          created: ROW.created,
          createdAt: Date.parse(ROW.created),
          status: 'succeeded',
          origin: 'api',
          model: ROW.model,
          costUsd: 0.1,
          creditsUsed: 200_000,
          requestId: 'req-1',
          inferenceId: ROW.inference_id,
          clientRequestId: ROW.client_request_id,
        },
      ],
      limit: 100,
      offset: 200,
      total: 201,
      hasMore: false,
    });
  });

  it('keeps what a row carries: nullable ids, missing cost, odd values', async () => {
    provider.handle(
      reply(200, {
        data: [
          { ...ROW, client_request_id: null, request_id: null, cost: { usd: 'n/a' } },
          { status: 'failed' },
          'not a row',
        ],
        pagination: { has_more: true },
      }),
    );
    const page = await client.logs({ period: '24h' });
    expect(new URL(provider.requests[0]!.url, 'http://x').searchParams.get('period')).toBe('24h');
    expect(page.rows).toEqual([
      {
        created: ROW.created,
        createdAt: Date.parse(ROW.created),
        status: 'succeeded',
        origin: 'api',
        model: ROW.model,
        inferenceId: ROW.inference_id,
      },
      { status: 'failed' },
    ]);
    expect(page.hasMore).toBe(true);
  });

  it('without has_more, reads more from total, else from a full page', async () => {
    provider.handle(reply(200, { data: [ROW, ROW], pagination: { limit: 2, offset: 0, total: 3 } }));
    expect((await client.logs({ ...WINDOW, limit: 2 })).hasMore).toBe(true);
    provider.handle(reply(200, { data: [ROW, ROW] }));
    expect((await client.logs({ ...WINDOW, limit: 2 })).hasMore).toBe(true);
    provider.handle(reply(200, { data: [ROW] }));
    expect((await client.logs({ ...WINDOW, limit: 2 })).hasMore).toBe(false);
  });

  it('refuses a query the provider would refuse, before sending anything', async () => {
    for (const bad of [
      { period: '24h', ...WINDOW },
      { start: WINDOW.start },
      {},
      { period: '1w' },
      { ...WINDOW, limit: 101 },
      { ...WINDOW, limit: 0 },
      { ...WINDOW, offset: -1 },
    ]) {
      const error = await caught(() => client.logs(bad));
      expect(error, JSON.stringify(bad)).toBeInstanceOf(PermanentError);
      expect((error as Error).message).toMatch(/nothing was sent$/);
    }
    expect(provider.requests).toHaveLength(0);
  });

  it('classifies failures as a read: 429 and 5xx transient, 401/403 account, 400/404 permanent', async () => {
    const cases: Array<[number, new (message: string) => Error]> = [
      [429, TransientError],
      [500, TransientError],
      [502, TransientError],
      [504, TransientError],
      [524, TransientError],
      [401, AccountError],
      [403, AccountError],
      [400, PermanentError],
      [404, PermanentError],
    ];
    for (const [status, cls] of cases) {
      provider.handle(reply(status, { message: `status ${status}` }, { 'retry-after': '3' }));
      const error = await caught(() => client.logs(WINDOW));
      expect(error, String(status)).toBeInstanceOf(cls);
      expect(error).toMatchObject({ status, providerMessage: `status ${status}`, retryAfterMs: 3000 });
    }
    provider.handle(reply(200, '<html>maintenance</html>', { 'content-type': 'text/html' }));
    expect(await caught(() => client.logs(WINDOW))).toMatchObject({ kind: 'transient', status: 200 });
  });
});
