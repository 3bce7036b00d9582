import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PermanentError, createAimlApiClient, normalizeBaseUrl, type AimlApiClient } from '../src/index.js';
import { caught, reply, startFakeProvider, type FakeProvider } from './fake-provider.js';

const KEY = 'sk-test-0123456789abcdef';
const KANDINSKY_ID = '0a3ca8ba-9af6-41d3-a938-41f762fcedc1:sber-ai/kandinsky5-distill-t2v';

let provider: FakeProvider;
let client: AimlApiClient;

beforeEach(async () => {
  provider = await startFakeProvider();
  client = createAimlApiClient({
    apiKey: KEY,
    baseUrl: `${provider.baseUrl}/`,
    userAgent: 'vidqueue-test/1',
  });
});
afterEach(() => provider.close());

describe('create', () => {
  it('POSTs JSON with the bearer key and the client request id, and reads the generation', async () => {
    provider.handle(reply(200, { id: KANDINSKY_ID, status: 'queued', video: null, error: null, meta: null }));
    const params = { model: 'sber-ai/kandinsky5-distill-t2v', prompt: 'a fox in snow', duration: 5 };

    const generation = await client.create(params, { clientRequestId: 'vid_abc.1:2-3' });

    expect(generation).toEqual({ id: KANDINSKY_ID, phase: 'pending', status: 'queued' });
    const [request] = provider.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/v2/video/generations');
    expect(request?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['x-client-request-id']).toBe('vid_abc.1:2-3');
    expect(request?.headers['user-agent']).toBe('vidqueue-test/1');
    expect(JSON.parse(request?.body ?? '')).toEqual(params);
  });

  it('accepts 201 (older docs) like 200, and the older generation_id field', async () => {
    provider.handle(reply(201, { generation_id: 'uDXFoifRMu4rpMBtxSn3Q', status: 'generating' }));
    const generation = await client.create({ model: 'm', prompt: 'p' });
    expect(generation).toEqual({ id: 'uDXFoifRMu4rpMBtxSn3Q', phase: 'pending', status: 'generating' });
  });

  it('sends no X-Client-Request-Id unless given', async () => {
    provider.handle(reply(200, { id: 'g1', status: 'queued' }));
    await client.create({ model: 'm', prompt: 'p' });
    expect(provider.requests[0]?.headers['x-client-request-id']).toBeUndefined();
  });

  it.each(['', 'has space', 'a'.repeat(129), 'slash/no', 'ünï'])(
    'refuses the client request id %j without sending anything',
    async (clientRequestId) => {
      const error = await caught(() => client.create({ model: 'm', prompt: 'p' }, { clientRequestId }));
      expect(error).toBeInstanceOf(PermanentError);
      expect((error as Error).message).toContain('[A-Za-z0-9._:-]');
      expect(provider.requests).toHaveLength(0);
    },
  );

  it('accepts a 128-character client request id', async () => {
    provider.handle(reply(200, { id: 'g1', status: 'queued' }));
    await client.create({ model: 'm', prompt: 'p' }, { clientRequestId: 'a'.repeat(128) });
    expect(provider.requests[0]?.headers['x-client-request-id']).toBe('a'.repeat(128));
  });
});

describe('get', () => {
  it('URL-encodes ids that contain ":" and "/"', async () => {
    provider.handle(reply(200, { id: 'a:b/c', status: 'generating' }));
    await client.get('a:b/c');
    await client.get(KANDINSKY_ID);
    expect(provider.requests.map((r) => [r.method, r.url])).toEqual([
      ['GET', '/v2/video/generations?generation_id=a%3Ab%2Fc'],
      ['GET', `/v2/video/generations?generation_id=${encodeURIComponent(KANDINSKY_ID)}`],
    ]);
    expect(provider.requests[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(new URL(provider.requests[1]?.url ?? '', 'http://x').searchParams.get('generation_id')).toBe(
      KANDINSKY_ID,
    );
  });

  it('reads a completed generation with its video file details and cost', async () => {
    provider.handle(
      reply(200, {
        id: KANDINSKY_ID,
        status: 'completed',
        video: {
          url: 'https://cdn.aimlapi.com/flamingo/files/b/koala/out.mp4',
          content_type: 'video/mp4',
          file_name: 'out.mp4',
          file_size: 1_234_567,
        },
        error: null,
        meta: { usage: { credits_used: 3_900_000, usd_spent: 1.95 } },
      }),
    );
    expect(await client.get(KANDINSKY_ID)).toEqual({
      id: KANDINSKY_ID,
      phase: 'completed',
      status: 'completed',
      videoUrl: 'https://cdn.aimlapi.com/flamingo/files/b/koala/out.mp4',
      contentType: 'video/mp4',
      fileName: 'out.mp4',
      fileSize: 1_234_567,
      creditsUsed: 3_900_000,
      usdSpent: 1.95,
    });
  });

  it('refuses an empty id without sending anything', async () => {
    const error = await caught(() => client.get(''));
    expect(error).toBeInstanceOf(PermanentError);
    expect(provider.requests).toHaveLength(0);
  });
});

describe('usage', () => {
  it('reads cost from the x-aimlapi-* headers when the body has none (names in any case)', async () => {
    provider.handle(
      reply(
        200,
        { id: 'g1', status: 'completed', video: { url: 'https://cdn/x.mp4' } },
        { 'X-AIMLAPI-Credits-Used': '42000', 'x-aimlapi-usd-spent': '0.021' },
      ),
    );
    const generation = await client.get('g1');
    expect(generation.creditsUsed).toBe(42_000);
    expect(generation.usdSpent).toBe(0.021);
  });

  it('prefers the body, reads the older tokens_used, and ignores garbage headers', async () => {
    provider.handle(
      reply(
        200,
        {
          id: 'g1',
          status: 'completed',
          video: { url: 'https://cdn/x.mp4' },
          meta: { usage: { tokens_used: 7 } },
        },
        { 'x-aimlapi-credits-used': '99', 'x-aimlapi-usd-spent': 'lots' },
      ),
    );
    const generation = await client.get('g1');
    expect(generation.creditsUsed).toBe(7);
    expect(generation.usdSpent).toBeUndefined();
  });

  it('ignores negative, empty and non-numeric values everywhere', async () => {
    provider.handle(
      reply(
        200,
        { id: 'g1', status: 'queued', meta: { usage: { credits_used: 'n/a', usd_spent: -1 } } },
        { 'x-aimlapi-credits-used': '', 'x-aimlapi-usd-spent': 'NaN' },
      ),
    );
    expect(await client.get('g1')).toEqual({ id: 'g1', phase: 'pending', status: 'queued' });
  });
});

describe('createAimlApiClient', () => {
  it('refuses a bad key, base URL or timeout without echoing the key', () => {
    expect(() => createAimlApiClient({ apiKey: '' })).toThrow(TypeError);
    let message = '';
    try {
      createAimlApiClient({ apiKey: 'sk-live secret\n' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('apiKey');
    expect(message).not.toContain('secret');
    expect(() => createAimlApiClient({ apiKey: KEY, baseUrl: 'ftp://x' })).toThrow(/http or https/);
    expect(() => createAimlApiClient({ apiKey: KEY, baseUrl: 'https://u:p@x' })).toThrow(/credentials/);
    expect(() => createAimlApiClient({ apiKey: KEY, baseUrl: 'not a url' })).toThrow(/valid URL/);
    expect(() => createAimlApiClient({ apiKey: KEY, timeoutMs: 0 })).toThrow(/timeoutMs/);
  });

  it('keeps a path prefix in the base URL', async () => {
    const prefixed = createAimlApiClient({ apiKey: KEY, baseUrl: `${provider.baseUrl}/proxy//` });
    provider.handle(reply(200, { id: 'g1', status: 'queued' }));
    await prefixed.get('g1');
    expect(provider.requests[0]?.url).toBe('/proxy/v2/video/generations?generation_id=g1');
  });

  it('takes the base URL with or without a trailing /, /v1 or /v2, and refuses an endpoint URL', async () => {
    for (const suffix of ['', '/', '/v1', '/v1/', '/v2', '/v2/', '/V2//']) {
      const client = createAimlApiClient({ apiKey: KEY, baseUrl: `${provider.baseUrl}${suffix}` });
      provider.handle(reply(200, { id: 'g1', status: 'queued' }));
      await client.get('g1');
      expect(provider.requests.at(-1)?.url, suffix).toBe('/v2/video/generations?generation_id=g1');
    }
    expect(normalizeBaseUrl('https://api.aimlapi.com/v2/')).toBe('https://api.aimlapi.com');
    expect(normalizeBaseUrl('https://proxy.example/aimlapi/v1')).toBe('https://proxy.example/aimlapi');
    for (const bad of ['https://api.aimlapi.com/v2/video/generations', 'https://api.aimlapi.com/v1/v2']) {
      expect(() => createAimlApiClient({ apiKey: KEY, baseUrl: bad }), bad).toThrow(
        /not the URL of one endpoint/,
      );
    }
  });
});
