import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY, MODEL, startTestSimulator, type TestSimulator } from './helpers.js';

/**
 * Every field shape of the published schemas, checked against real models from the data: what the
 * schema states is enforced, what it does not state is accepted (no invented rule).
 */
describe('validation from the published schemas', () => {
  let t: TestSimulator;
  beforeAll(async () => {
    t = await startTestSimulator();
  });
  afterAll(async () => {
    await t.close();
  });

  async function accepted(body: Record<string, unknown>): Promise<void> {
    const answer = await t.create(body);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  }

  async function issues(body: Record<string, unknown>): Promise<unknown[]> {
    const answer = await t.create(body);
    expect(answer.status, JSON.stringify(body)).toBe(400);
    expect(answer.body.message).toBe('Body validation error!');
    return answer.body.errors as unknown[];
  }

  it('integer enums take JSON integers only: a string is not an enum member', async () => {
    await accepted({ model: 'google/veo-3.1-t2v', prompt: 'p', duration: 8 });
    expect(await issues({ model: 'google/veo-3.1-t2v', prompt: 'p', duration: '8' })).toEqual([
      {
        code: 'invalid_enum_value',
        path: ['duration'],
        message: "Invalid enum value. Expected 4 | 6 | 8, received '8'",
        expected: '4 | 6 | 8',
        received: "'8'",
      },
    ]);
  });

  it('string enums, as published per model', async () => {
    await accepted({ model: 'alibaba/happyhorse-1-0', prompt: 'p', resolution: '720p', aspect_ratio: '4:3' });
    expect(await issues({ model: 'alibaba/happyhorse-1-0', prompt: 'p', resolution: '4k' })).toMatchObject([
      { code: 'invalid_enum_value', path: ['resolution'], expected: "'720p' | '1080p'", received: "'4k'" },
    ]);
    // Case matters: this model publishes 720P, another 720p.
    await accepted({ model: 'google/veo3', prompt: 'p', resolution: '720P' });
    expect(await issues({ model: 'google/veo3', prompt: 'p', resolution: '720p' })).toMatchObject([
      { path: ['resolution'], expected: "'720P' | '1080P'" },
    ]);
  });

  it('integer bounds where published: minimum and maximum, and integers only', async () => {
    const flux = { model: 'blackforestlabs/flux-3-video-t2v', prompt: 'p' };
    await accepted({ ...flux, duration: 5 });
    await accepted({ ...flux, duration: 20, safety_tolerance: 0 });
    expect(await issues({ ...flux, duration: 4 })).toEqual([
      {
        code: 'too_small',
        path: ['duration'],
        message: 'Number must be greater than or equal to 5',
        expected: '>= 5',
        received: '4',
      },
    ]);
    expect(await issues({ ...flux, duration: 21, safety_tolerance: 5 })).toEqual([
      {
        code: 'too_big',
        path: ['duration'],
        message: 'Number must be less than or equal to 20',
        expected: '<= 20',
        received: '21',
      },
      {
        code: 'too_big',
        path: ['safety_tolerance'],
        message: 'Number must be less than or equal to 4',
        expected: '<= 4',
        received: '5',
      },
    ]);
    expect(await issues({ ...flux, duration: 7.5 })).toMatchObject([
      { code: 'invalid_type', path: ['duration'], expected: 'integer', received: 'float' },
    ]);
    await accepted({ model: 'krea/krea-wan-14b/text-to-video', prompt: 'p', num_frames: 162 });
    expect(
      await issues({ model: 'krea/krea-wan-14b/text-to-video', prompt: 'p', num_frames: 17 }),
    ).toMatchObject([{ code: 'too_small', path: ['num_frames'], expected: '>= 18' }]);
  });

  it('number bounds: cfg_scale from 0 to 1, any JSON number in between, never a string', async () => {
    const kling = { model: 'kling-video/v1.6/pro/text-to-video', prompt: 'p' };
    for (const cfg_scale of [0, 0.5, 1]) await accepted({ ...kling, cfg_scale });
    expect(await issues({ ...kling, cfg_scale: 1.5 })).toMatchObject([
      { code: 'too_big', path: ['cfg_scale'], expected: '<= 1', received: '1.5' },
    ]);
    expect(await issues({ ...kling, cfg_scale: -0.1 })).toMatchObject([
      { code: 'too_small', expected: '>= 0' },
    ]);
    expect(await issues({ ...kling, cfg_scale: '0.5' })).toMatchObject([
      { code: 'invalid_type', expected: 'number', received: 'string' },
    ]);
  });

  it('booleans are JSON booleans: "true" and 1 are not', async () => {
    const veo = { model: 'google/veo-3.1-t2v', prompt: 'p' };
    await accepted({ ...veo, generate_audio: false, enhance_prompt: true });
    expect(await issues({ ...veo, generate_audio: 'true', enhance_prompt: 1 })).toEqual([
      {
        code: 'invalid_type',
        path: ['generate_audio'],
        message: 'Expected boolean, received string',
        expected: 'boolean',
        received: 'string',
      },
      {
        code: 'invalid_type',
        path: ['enhance_prompt'],
        message: 'Expected boolean, received integer',
        expected: 'boolean',
        received: 'integer',
      },
    ]);
  });

  it('string lengths where published (maxLength 2000 on Hailuo prompts, 500 on a negative prompt)', async () => {
    await accepted({ model: 'minimax/hailuo-02', prompt: 'x'.repeat(2000) });
    expect(await issues({ model: 'minimax/hailuo-02', prompt: 'x'.repeat(2001) })).toEqual([
      {
        code: 'too_big',
        path: ['prompt'],
        message: 'String must contain at most 2000 character(s)',
        expected: 'at most 2000 characters',
        received: '2001 characters',
      },
    ]);
    expect(
      await issues({ model: 'alibaba/wan-2-7-r2v', prompt: 'p', negative_prompt: 'n'.repeat(501) }),
    ).toMatchObject([{ code: 'too_big', path: ['negative_prompt'], expected: 'at most 500 characters' }]);
    // No published maximum: a very long Kandinsky prompt passes.
    await accepted({ model: MODEL, prompt: 'x'.repeat(20_000) });
  });

  it('arrays: the type, each item, nested objects with their own required fields and bounds', async () => {
    const r2v = { model: 'alibaba/wan-2-6-r2v', prompt: 'p' };
    await accepted({ ...r2v, video_urls: ['https://example.com/a.mp4', 'https://example.com/b.mp4'] });
    expect(await issues({ ...r2v, video_urls: 'https://example.com/a.mp4' })).toMatchObject([
      { code: 'invalid_type', path: ['video_urls'], expected: 'array', received: 'string' },
    ]);
    expect(await issues({ ...r2v, video_urls: ['https://example.com/a.mp4', 7] })).toMatchObject([
      { code: 'invalid_type', path: ['video_urls', 1], expected: 'string', received: 'integer' },
    ]);

    const turbo = { model: 'klingai/video-v3-turbo-pro-text-to-video' };
    await accepted({ ...turbo, multi_prompt: [{ prompt: 'shot one', duration: 3 }, { prompt: 'shot two' }] });
    expect(
      await issues({ ...turbo, multi_prompt: [{ duration: 3 }, { prompt: 'b', duration: 20 }] }),
    ).toEqual([
      {
        code: 'invalid_type',
        path: ['multi_prompt', 0, 'prompt'],
        message: 'Required',
        expected: 'string',
        received: 'undefined',
      },
      expect.objectContaining({
        code: 'invalid_enum_value',
        path: ['multi_prompt', 1, 'duration'],
      }) as unknown,
    ]);

    const o1 = { model: 'klingai/video-o1-reference-to-video', prompt: 'p' };
    const element = (urls: string[]) => ({
      frontal_image_url: 'https://example.com/f.png',
      reference_image_urls: urls,
    });
    await accepted({ ...o1, elements: [element(['https://example.com/1.png'])] });
    expect(await issues({ ...o1, elements: [element([])] })).toEqual([
      {
        code: 'too_small',
        path: ['elements', 0, 'reference_image_urls'],
        message: 'Array must contain at least 1 element(s)',
        expected: 'at least 1 element',
        received: '0 elements',
      },
    ]);
    expect(
      await issues({ ...o1, elements: [element(Array.from({ length: 5 }, (_, i) => `u${i}`))] }),
    ).toMatchObject([
      { code: 'too_big', path: ['elements', 0, 'reference_image_urls'], expected: 'at most 4 elements' },
    ]);
  });

  it('objects: a free-form object field takes any object, nothing else', async () => {
    const kling = { model: 'kling-video/v1/pro/text-to-video', prompt: 'p' };
    await accepted({ ...kling, advanced_camera_control: { movement_type: 'pan', movement_value: 5 } });
    expect(await issues({ ...kling, advanced_camera_control: 'pan' })).toMatchObject([
      { code: 'invalid_type', path: ['advanced_camera_control'], expected: 'object', received: 'string' },
    ]);
  });

  it('required fields as published: image and video inputs stay required, a prompt is not always', async () => {
    expect(await issues({ model: 'alibaba/wan-2-6-r2v', prompt: 'p' })).toEqual([
      {
        code: 'invalid_type',
        path: ['video_urls'],
        message: 'Required',
        expected: 'array',
        received: 'undefined',
      },
    ]);
    expect(
      await issues({ model: 'kling-video/v1.6/standard/multi-image-to-video', prompt: 'p' }),
    ).toMatchObject([{ path: ['image_list'], message: 'Required' }]);
    await accepted({
      model: 'kling-video/v1.6/standard/multi-image-to-video',
      image_list: ['https://e.x/a.png'],
    });
    // Kling v3 publishes no required field (a prompt or a multi_prompt storyboard).
    await accepted({ model: 'klingai/video-v3-pro-text-to-video', multi_prompt: ['shot one', 'shot two'] });
    await accepted({ model: 'x-ai/grok-imagine-video' });
  });

  it('unknown keys are refused per model: seed exists for Wan, not for Kandinsky', async () => {
    await accepted({ model: 'alibaba/wan2.5-t2v-preview', prompt: 'p', seed: 7, negative_prompt: 'blur' });
    expect(await issues({ model: MODEL, prompt: 'p', seed: 7 })).toMatchObject([
      { code: 'unrecognized_keys', path: [], received: "'seed'" },
    ]);
  });

  it('values the schema does not bound pass through: num_inference_steps, seed', async () => {
    for (const num_inference_steps of [0, 1, 100, 101, 10_000, -3]) {
      await accepted({ model: MODEL, prompt: 'p', num_inference_steps });
    }
    for (const seed of [-1, 0, 2 ** 40])
      await accepted({ model: 'alibaba/wan2.5-t2v-preview', prompt: 'p', seed });
    expect(await issues({ model: MODEL, prompt: 'p', num_inference_steps: null })).toMatchObject([
      { code: 'invalid_type', path: ['num_inference_steps'], expected: 'integer', received: 'null' },
    ]);
  });

  it('a model named by its alias is served as the canonical model', async () => {
    const answer = await t.create({ model: 'kandinsky5-distill-t2v', prompt: 'alias' });
    expect(answer.status).toBe(200);
    expect(String(answer.body.id)).toMatch(new RegExp(`:${MODEL}$`));
    const raw = await t.request('/v2/video/generations', {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'constructor', prompt: 'p' }),
    });
    expect(raw.status).toBe(400);
  });
});
