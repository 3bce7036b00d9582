import { videoModelSchema, videoModelSchemas } from '@vidqueue/provider-schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anyString, startTestSimulator, type TestSimulator } from './helpers.js';

type Entry = {
  id: string;
  aliases: string[];
  type: string;
  tags: string[];
  info: { name: string; developer: string; docsUrl?: string; docsJson?: string };
  pricing?: { kind: string };
  modalities?: { input: string[]; output: string[] };
  capabilities?: string[];
};

const VIDEO_IDS = videoModelSchemas().map((m) => m.model);
const DISTILL = 'sber-ai/kandinsky5-distill-t2v';

describe('the catalogue: GET /v1/models, GET /model/<id>, docsJson', () => {
  let t: TestSimulator;
  beforeAll(async () => {
    t = await startTestSimulator();
  });
  afterAll(async () => {
    await t.close();
  });

  const list = async (query = ''): Promise<Entry[]> => {
    const answer = await t.request(`/v1/models${query}`);
    expect(answer.status, query).toBe(200);
    expect(answer.body.object).toBe('list');
    return answer.body.data as Entry[];
  };
  const ids = async (query: string) => (await list(query)).map((m) => m.id).sort();

  it('lists every published video model and the listed-only others, without a key, identity only', async () => {
    const data = await list();
    expect(data.map((m) => m.id)).toEqual([...VIDEO_IDS, 'gpt-4o-mini', 'flux/schnell']);
    const distill = data.find((m) => m.id === DISTILL)!;
    expect(distill).toEqual({
      id: DISTILL,
      aliases: ['kandinsky5-distill-t2v'],
      type: 'internal/video-generations/submit',
      tags: ['playground:video'],
      info: {
        name: 'Kandinsky5 Distill T2v',
        developer: 'Sber AI',
        description: anyString,
        docsUrl: 'https://docs.aimlapi.com/api-references/video-models/sber-ai/kandinsky5-distill-t2v',
        docsJson: `${t.url}/docs-json/${DISTILL}.json`,
      },
    });
    for (const entry of data.slice(0, 66)) {
      expect(entry.type).toBe('internal/video-generations/submit');
      expect(Object.keys(entry).sort()).toEqual(['aliases', 'id', 'info', 'tags', 'type']);
    }
  });

  it('filters: OR within one parameter, AND across parameters, case-insensitive, id matches aliases', async () => {
    expect(await ids('?capabilities=text_to_video')).toEqual([...VIDEO_IDS].sort());
    expect(await ids('?capabilities=TEXT_TO_VIDEO')).toEqual([...VIDEO_IDS].sort());
    expect(await ids('?capabilities=chat')).toEqual(['gpt-4o-mini']);
    expect(await ids('?capabilities=text_to_video,chat')).toHaveLength(67);
    expect(await ids('?capabilities=text_to_video&capabilities=chat')).toHaveLength(67);
    expect(await ids('?capabilities=chat&output_modalities=video')).toEqual([]);
    expect(await ids('?output_modalities=video')).toEqual([...VIDEO_IDS].sort());
    expect(await ids('?output_modalities=image')).toEqual(['flux/schnell']);
    expect(await ids(`?id=${DISTILL}`)).toEqual([DISTILL]);
    expect(await ids('?id=kandinsky5-distill-t2v')).toEqual([DISTILL]);
    expect(await ids('?id=veo2,openai/sora-2-t2v')).toEqual(['openai/sora-2-t2v', 'veo2']);
    expect(await ids('?id=veo2&id=video-01')).toEqual(['veo2', 'video-01']);
    expect(await ids('?id=no/such-model')).toEqual([]);
    expect(await ids('?type=internal/video-generations/submit')).toHaveLength(66);
    expect(await ids('?tags=playground:chat')).toEqual(['gpt-4o-mini']);

    // Capabilities read from the published inputs: an image_url makes it image_to_video too.
    const i2v = await ids('?capabilities=image_to_video&output_modalities=video');
    expect(i2v).toContain('bytedance/seedance-1-0-pro-i2v');
    expect(i2v).not.toContain(DISTILL);
    for (const id of i2v) {
      const fields = Object.keys(videoModelSchema(id)!.properties);
      expect(
        fields.some((f) => /image|elements|keyframes/.test(f)),
        id,
      ).toBe(true);
    }
  });

  it('include=pricing,modalities,capabilities (or all, or details=true) attaches sections; unknown values are ignored', async () => {
    const [priced] = await list(`?id=${DISTILL}&include=pricing`);
    expect(priced).toMatchObject({
      id: DISTILL,
      pricing: { kind: 'fixed', units: [{ name: 'second', measure: 'video', price: 0.02, per: 1 }] },
    });
    expect(priced).not.toHaveProperty('modalities');
    expect(priced).not.toHaveProperty('capabilities');

    const [all] = await list(`?id=${DISTILL}&include=all`);
    expect(all).toMatchObject({
      pricing: { kind: 'fixed' },
      modalities: { input: ['text'], output: ['video'] },
      capabilities: ['text_to_video'],
    });
    expect(await list(`?id=${DISTILL}&details=true`)).toEqual([all]);
    expect(await list(`?id=${DISTILL}&include=pricing,modalities,capabilities`)).toEqual([all]);
    expect(await list(`?id=${DISTILL}&include=pricing&include=capabilities,bogus`)).toEqual([
      { ...all, modalities: undefined },
    ]);
    expect(await list(`?id=${DISTILL}&include=bogus`)).toEqual(await list(`?id=${DISTILL}`));

    const kinds = new Set(
      (await list('?include=pricing&output_modalities=video')).map((m) => m.pricing?.kind),
    );
    expect([...kinds].sort()).toEqual(['fixed', 'variable', 'variants']);
  });

  it('answers an ETag; If-None-Match with it gives 304 and no body; any change of answer changes it', async () => {
    const first = await fetch(`${t.url}/v1/models?include=pricing`);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"[0-9a-f]+-[A-Za-z0-9+/]+"$/);
    await first.arrayBuffer();
    const again = await fetch(`${t.url}/v1/models?include=pricing`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const strongForm = etag.replace(/^W\//, '');
    expect(
      (await fetch(`${t.url}/v1/models?include=pricing`, { headers: { 'if-none-match': strongForm } }))
        .status,
    ).toBe(304);
    expect(
      (await fetch(`${t.url}/v1/models?include=pricing`, { headers: { 'if-none-match': `"x", ${etag}` } }))
        .status,
    ).toBe(304);
    const other = await fetch(`${t.url}/v1/models`, { headers: { 'if-none-match': etag } });
    expect(other.status).toBe(200);
    expect(other.headers.get('etag')).not.toBe(etag);
    await other.arrayBuffer();
  });

  it('GET /model/<id>: one model (by id or alias, include honoured), or 404', async () => {
    const one = await t.request(`/model/${DISTILL}?include=pricing`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ object: 'model', data: { id: DISTILL, pricing: { kind: 'fixed' } } });
    expect(one.headers.get('etag')).toMatch(/^W\//);
    const byAlias = await t.request('/model/kandinsky5-distill-t2v');
    expect(byAlias.body).toMatchObject({ object: 'model', data: { id: DISTILL } });
    const deep = await t.request('/model/kling-video/v1.6/pro/text-to-video');
    expect(deep.body).toMatchObject({ data: { id: 'kling-video/v1.6/pro/text-to-video' } });
    const missing = await t.request('/model/openai/sora-3');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ message: 'Model openai/sora-3 not found', statusCode: 404 });
  });

  it("docsJson: every video model's link is served by the simulator, the published request schema in OpenAPI form", async () => {
    const entries = (await list('?output_modalities=video')).filter((m) => m.info.docsJson);
    expect(entries).toHaveLength(66);
    for (const entry of entries) {
      expect(entry.info.docsJson!.startsWith(`${t.url}/docs-json/`)).toBe(true);
      const res = await fetch(entry.info.docsJson!);
      expect(res.status, entry.id).toBe(200);
      const doc = (await res.json()) as {
        openapi: string;
        paths: Record<string, { post: { requestBody: { content: Record<string, { schema: unknown }> } } }>;
      };
      const published = videoModelSchema(entry.id)!;
      expect(doc.openapi).toBe('3.0.0');
      expect(
        doc.paths['/v2/video/generations']!.post.requestBody.content['application/json']!.schema,
      ).toEqual({
        type: 'object',
        properties: { model: { type: 'string', enum: [entry.id] }, ...published.properties },
        required: ['model', ...published.required],
      });
    }
    const missing = await t.request('/docs-json/no/such-model.json');
    expect(missing.status).toBe(404);
  });
});
