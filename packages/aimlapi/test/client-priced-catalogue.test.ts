import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AccountError,
  TransientError,
  createAimlApiClient,
  fetchPricedCatalogue,
  type AimlApiClient,
} from '../src/index.js';
import { caught, reply, startFakeProvider, type FakeProvider } from './fake-provider.js';

const KEY = 'sk-live-Cat81xY7uNaT3sEcReT';
const LIST = {
  object: 'list',
  data: [
    {
      id: 'sber-ai/kandinsky5-distill-t2v',
      aliases: ['kandinsky5-distill-t2v'],
      type: 'internal/video-generations/submit',
      pricing: { kind: 'fixed', units: [{ name: 'second', measure: 'video', price: 0.02, per: 1 }] },
    },
    { id: 'magic/text-to-video', aliases: [], pricing: { kind: 'variable' } },
    { id: 'gpt-4o-mini' },
    { aliases: ['no-id'] },
  ],
};

let provider: FakeProvider;
let client: AimlApiClient;

beforeAll(async () => {
  provider = await startFakeProvider();
  client = createAimlApiClient({ apiKey: KEY, baseUrl: provider.baseUrl });
});
afterAll(() => provider.close());
beforeEach(() => {
  provider.requests.length = 0;
});

describe('client.pricedCatalogue', () => {
  it('asks for the priced catalogue with the key, reads entries and the ETag', async () => {
    provider.handle(reply(200, LIST, { etag: 'W/"1a-abc"' }));
    const answer = await client.pricedCatalogue();
    const [request] = provider.requests;
    expect(request!.url).toBe('/v1/models?include=pricing');
    expect(request!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(request!.headers['if-none-match']).toBeUndefined();
    expect(answer).toEqual({
      notModified: false,
      etag: 'W/"1a-abc"',
      entries: [
        {
          id: 'sber-ai/kandinsky5-distill-t2v',
          aliases: ['kandinsky5-distill-t2v'],
          type: 'internal/video-generations/submit',
          pricing: { kind: 'fixed', units: [{ name: 'second', measure: 'video', price: 0.02, per: 1 }] },
        },
        { id: 'magic/text-to-video', aliases: [], pricing: { kind: 'variable' } },
        { id: 'gpt-4o-mini', aliases: [], pricing: { kind: 'unknown' } },
      ],
    });
  });

  it('sends If-None-Match and answers notModified for a 304', async () => {
    provider.handle(reply(304, '', { etag: 'W/"1a-abc"' }));
    const answer = await client.pricedCatalogue({ etag: 'W/"1a-abc"' });
    expect(provider.requests[0]!.headers['if-none-match']).toBe('W/"1a-abc"');
    expect(answer).toEqual({ notModified: true, etag: 'W/"1a-abc"' });
  });

  it('without a key: fetchPricedCatalogue sends no Authorization header', async () => {
    provider.handle(reply(200, LIST));
    const answer = await fetchPricedCatalogue({ baseUrl: `${provider.baseUrl}/v1` });
    expect(provider.requests[0]!.headers.authorization).toBeUndefined();
    expect(answer.notModified === false && answer.entries.map((e) => e.id)).toHaveLength(3);
  });

  it('is a read: 5xx and a body that is not a list are transient, 401 account', async () => {
    provider.handle(reply(503, { message: 'maintenance' }));
    expect(await caught(() => client.pricedCatalogue())).toBeInstanceOf(TransientError);
    provider.handle(reply(200, { models: [] }));
    expect(await caught(() => client.pricedCatalogue())).toBeInstanceOf(TransientError);
    provider.handle(reply(401, { message: 'bad key' }));
    expect(await caught(() => client.pricedCatalogue())).toBeInstanceOf(AccountError);
  });
});

describe('client.balance', () => {
  it('reads GET /v2/billing with the key', async () => {
    provider.handle(reply(200, { current_balance: 12.5, currency: 'USD' }));
    expect(await client.balance()).toEqual({ usd: 12.5, currency: 'USD' });
    expect(provider.requests[0]!.url).toBe('/v2/billing');
    expect(provider.requests[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('a negative balance is read as it is; an answer without one is transient; 403 account', async () => {
    provider.handle(reply(200, { current_balance: -0.25 }));
    expect(await client.balance()).toEqual({ usd: -0.25, currency: 'USD' });
    provider.handle(reply(200, { balance: 3 }));
    expect(await caught(() => client.balance())).toBeInstanceOf(TransientError);
    provider.handle(reply(403, { message: 'forbidden' }));
    expect(await caught(() => client.balance())).toBeInstanceOf(AccountError);
  });
});
