import { MODELS } from '@vidqueue/aimlapi';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestSimulator, type TestSimulator } from './helpers.js';

type Entry = {
  id: string;
  type: string;
  capabilities: string[];
  endpoints: string[];
  schema?: Record<string, unknown>;
};

describe('GET /v1/models', () => {
  let t: TestSimulator;
  beforeEach(async () => {
    t = await startTestSimulator();
  });
  afterEach(async () => {
    await t.close();
  });

  it('lists the catalogue without a key, video models with their body schema', async () => {
    const answer = await t.request('/v1/models');
    expect(answer.status).toBe(200);
    const data = answer.body.data as Entry[];
    expect(answer.body.object).toBe('list');
    expect(data.map((m) => m.id)).toEqual(expect.arrayContaining([...Object.keys(MODELS), 'gpt-4o-mini']));
    const kandinsky = data.find((m) => m.id === 'sber-ai/kandinsky5-distill-t2v')!;
    expect(kandinsky).toMatchObject({
      type: 'video',
      capabilities: ['text_to_video'],
      endpoints: ['/v2/video/generations'],
      schema: {
        type: 'object',
        required: ['model', 'prompt'],
        additionalProperties: false,
        properties: {
          aspect_ratio: { type: 'string', enum: ['3:2', '1:1', '2:3'], default: '3:2' },
          duration: { type: 'integer', enum: [5, 10], default: 5 },
          num_inference_steps: { type: 'integer', default: 30 },
        },
      },
    });
  });

  it('filters by capability', async () => {
    const video = (await t.request('/v1/models?capabilities=text_to_video')).body.data as Entry[];
    expect(video.map((m) => m.id).sort()).toEqual(Object.keys(MODELS).sort());
    const chat = (await t.request('/v1/models?capabilities=chat')).body.data as Entry[];
    expect(chat.map((m) => m.id)).toEqual(['gpt-4o-mini']);
    const none = (await t.request('/v1/models?capabilities=text_to_video,chat')).body.data as Entry[];
    expect(none).toEqual([]);
  });
});
