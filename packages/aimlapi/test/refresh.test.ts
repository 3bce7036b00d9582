import { describe, expect, it } from 'vitest';
import { videoModelSchema } from '@vidqueue/provider-schemas';
import { CatalogueFetchError, fetchProviderCatalogue, shippedCatalogue } from '../src/index.js';

const BASE = 'https://provider.test';

/** The per-model OpenAPI shape of a docsJson file, around a request body schema. */
function docs(properties: Record<string, unknown>, required: string[]) {
  return {
    openapi: '3.0.0',
    paths: {
      '/v2/video/generations': {
        post: {
          requestBody: {
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { model: { type: 'string' }, ...properties },
                  required,
                },
              },
            },
          },
        },
      },
    },
  };
}

/** A fake provider: answers by URL from a table (a number is that HTTP status); records what it was asked. */
function fakeFetch(routes: Record<string, unknown>) {
  const asked: { url: string; auth: string | null }[] = [];
  const doFetch: typeof fetch = (input, init) => {
    const url = input instanceof Request ? input.url : input.toString();
    asked.push({ url, auth: new Headers(init?.headers).get('authorization') });
    const answer = routes[url];
    if (answer === undefined)
      return Promise.reject(new TypeError('fetch failed', { cause: { code: 'ENOTFOUND' } }));
    if (typeof answer === 'number')
      return Promise.resolve(new Response('{"message":"no"}', { status: answer }));
    return Promise.resolve(Response.json(answer));
  };
  return { doFetch, asked };
}

const kandinsky = videoModelSchema('sber-ai/kandinsky5-distill-t2v')!;

describe('fetchProviderCatalogue', () => {
  it('matches ids and aliases, keeps the current definition of a model whose schema fails, builds new ones', async () => {
    const { doFetch, asked } = fakeFetch({
      [`${BASE}/v1/models?capabilities=text_to_video`]: {
        object: 'list',
        data: [
          // Renamed: the old id lives on as an alias; the overlay (label, measured times) still applies.
          {
            id: 'sber-ai/kandinsky5-distill-t2v-2026',
            aliases: ['sber-ai/kandinsky5-distill-t2v'],
            info: { name: 'Kandinsky', docsJson: '/docs/k.json' },
          },
          { id: 'google/veo3', aliases: [], info: { docsJson: `${BASE}/docs/veo3.json` } },
          { id: 'acme/new-t2v', info: { name: 'Acme New', description: 'New.', docsJson: '/docs/new.json' } },
          { id: 'acme/broken', info: { docsJson: '/docs/broken.json' } },
          { id: 'acme/no-docs', info: {} },
        ],
      },
      [`${BASE}/docs/k.json`]: docs(kandinsky.properties, ['prompt']),
      [`${BASE}/docs/veo3.json`]: 500,
      [`${BASE}/docs/new.json`]: docs(
        {
          prompt: { type: 'string', maxLength: 900 },
          fps: { type: 'integer', enum: [24, 30], default: '24' },
          image_url: { type: 'string' },
        },
        ['prompt'],
      ),
      [`${BASE}/docs/broken.json`]: { openapi: '3.0.0', paths: {} },
    });
    const report = await fetchProviderCatalogue({
      baseUrl: `${BASE}/v1`,
      apiKey: 'sk-test-key-123456',
      current: shippedCatalogue(),
      fetch: doFetch,
      now: () => new Date('2026-12-01T00:00:00Z'),
    });
    expect(asked.every((a) => a.auth === 'Bearer sk-test-key-123456')).toBe(true);
    const { data } = report;
    expect(data.source).toEqual({
      kind: 'provider',
      url: `${BASE}/v1/models?capabilities=text_to_video`,
      fetchedAt: '2026-12-01T00:00:00.000Z',
    });
    expect(data.models.map((m) => m.id)).toEqual([
      'sber-ai/kandinsky5-distill-t2v-2026',
      'google/veo3',
      'acme/new-t2v',
    ]);
    expect(data.models[0]).toMatchObject({
      aliases: ['sber-ai/kandinsky5-distill-t2v'],
      label: 'Kandinsky 5 Video Lite (distilled)',
      expectedSeconds: { '5': 45, '10': 70 },
      source: `${BASE}/docs/k.json`,
    });
    expect(data.models[1]).toBe(shippedCatalogue().get('google/veo3'));
    expect(data.models[2]).toMatchObject({
      label: 'Acme New',
      description: 'New.',
      fields: {
        prompt: { type: 'string', maxLength: 900, required: true },
        fps: { type: 'integer', enum: [24, 30], default: 24 },
      },
      notOffered: { image_url: 'an image input: vidqueue sends text prompts only' },
    });
    expect(data.excluded.map((e) => [e.id, e.reason])).toEqual([
      ['acme/broken', expect.stringContaining('no request body schema')],
      ['acme/no-docs', 'no docsJson link in its catalogue entry'],
    ]);
    expect(report.added).toEqual(['acme/new-t2v']);
    expect(report.removed).toHaveLength(62);
    expect(report.removed).not.toContain('sber-ai/kandinsky5-distill-t2v');
    expect(report.changed).toEqual([]);
    expect(report.problems).toEqual([
      { id: 'google/veo3', problem: expect.stringContaining('answered 500') as string, kept: true },
      {
        id: 'acme/broken',
        problem: expect.stringContaining('no request body schema') as string,
        kept: false,
      },
      { id: 'acme/no-docs', problem: 'no docsJson link in its catalogue entry', kept: false },
    ]);
  });

  it('fails as a whole when the list cannot be had, or no schema can be read', async () => {
    const list = `${BASE}/v1/models?capabilities=text_to_video`;
    const attempt = (routes: Record<string, unknown>) =>
      fetchProviderCatalogue({
        baseUrl: BASE,
        current: shippedCatalogue(),
        fetch: fakeFetch(routes).doFetch,
      });
    await expect(attempt({})).rejects.toMatchObject({
      kind: 'network',
      message: `could not reach ${list} (ENOTFOUND)`,
    });
    await expect(attempt({ [list]: 401 })).rejects.toMatchObject({
      kind: 'refused',
      status: 401,
      message: `${list} answered 401 (no key was sent: set AIMLAPI_KEY)`,
    });
    await expect(attempt({ [list]: { nope: true } })).rejects.toBeInstanceOf(CatalogueFetchError);
    await expect(
      attempt({ [list]: { data: [{ id: 'veo2', info: { docsJson: '/x.json' } }] } }),
    ).rejects.toMatchObject({
      kind: 'invalid',
      message: expect.stringMatching(
        /^no model's schema could be read \(veo2: its schema could not be read: could not reach/,
      ) as string,
    });
  });
});
