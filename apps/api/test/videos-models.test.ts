import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ModelDescription } from '@vidqueue/aimlapi';
import { makeApp, type TestApp } from './helpers.js';

/** POST /v1/videos and GET /v1/models with every model of the catalogue, not only Kandinsky. */
let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.close();
});

const VEO = 'google/veo-3.1-t2v';
const KLING = 'kling-video/v1.6/pro/text-to-video';

function post(payload: unknown) {
  return t.app.inject({ method: 'POST', url: '/v1/videos', payload: payload as object });
}

async function onlyJobInput(): Promise<unknown> {
  // A single prompt is prioritized (fair share: priority 1), not in the plain wait list.
  const jobs = await t.app.queue.getJobs(['waiting', 'prioritized']);
  expect(jobs).toHaveLength(1);
  return jobs[0]!.data.input;
}

describe('POST /v1/videos with any model', () => {
  it("takes the model's own fields and keeps exactly those in the job (no default filled in)", async () => {
    const body = {
      prompt: 'a lighthouse at dusk',
      model: VEO,
      resolution: '720p',
      generate_audio: false,
      seed: 42,
      negative_prompt: 'blurry',
      custom_id: 'veo-1',
      metadata: { team: 'a' },
    };
    const res = await post(body);
    expect(res.statusCode).toBe(202);
    expect(res.json<{ model: string }>().model).toBe(VEO);
    const { custom_id: _c, metadata: _m, ...input } = body;
    expect(await onlyJobInput()).toEqual(input);
  });

  it('takes a number in range and treats null as the default (the field is not sent)', async () => {
    const res = await post({ prompt: 'a city', model: KLING, cfg_scale: 0.25, negative_prompt: null });
    expect(res.statusCode).toBe(202);
    expect(await onlyJobInput()).toEqual({ prompt: 'a city', model: KLING, cfg_scale: 0.25 });
  });

  it("refuses a field the model does not take, naming the model's fields, and enqueues nothing", async () => {
    const lite = 'google/veo-3-1-lite-generate-preview';
    const res = await post({ prompt: 'a fox', model: lite, cfg_scale: 0.5, image_url: 'https://x/a.png' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: {
        code: 'VALIDATION_ERROR',
        message: 'The request is invalid',
        details: [
          {
            path: 'cfg_scale',
            message: `cfg_scale is not a field of model ${lite} (its fields: model, prompt, aspect_ratio, resolution, duration, generate_audio, provider)`,
          },
          {
            path: 'image_url',
            message: `image_url is not offered for model ${lite}: an image input: vidqueue sends text prompts only`,
          },
        ],
      },
    });
    expect(await t.app.queue.getJobCounts('waiting')).toEqual({ waiting: 0 });
  });

  it('names the model and the allowed values for a wrong value', async () => {
    const res = await post({ prompt: 'a fox', model: KLING, cfg_scale: 3, duration: '5' });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: { details: unknown[] } }>().error.details).toEqual([
      { path: 'cfg_scale', message: `cfg_scale must be a number from 0 to 1 for model ${KLING} (got 3)` },
      { path: 'duration', message: `duration must be one of 5, 10 for model ${KLING} (got "5")` },
    ]);
  });

  it('refuses an excluded model with the reason', async () => {
    const res = await post({ prompt: 'a fox', model: 'alibaba/wan-2-6-r2v' });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: { details: unknown[] } }>().error.details).toEqual([
      {
        path: 'model',
        message:
          'model "alibaba/wan-2-6-r2v" is not offered: it requires video_urls (a video input: vidqueue sends text prompts only)',
      },
    ]);
  });
});

describe('GET /v1/models', () => {
  it('lists every model of the catalogue with its fields', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/models' });
    expect(res.statusCode).toBe(200);
    const models = res.json<ModelDescription[]>();
    expect(models).toHaveLength(64);
    const veo = models.find((m) => m.id === VEO)!;
    expect(veo.parameters.resolution).toEqual({
      type: 'string',
      required: false,
      description: expect.any(String) as string,
      values: ['720p', '1080p'],
      default: '1080p',
    });
    expect(veo.parameters.generate_audio).toMatchObject({ type: 'boolean', default: true });
    expect(veo.not_offered).toEqual({});
    expect(veo.expected_seconds_guess).toBe(true);
    expect(models.find((m) => m.id === KLING)!.parameters.cfg_scale).toMatchObject({
      type: 'number',
      minimum: 0,
      maximum: 1,
    });
  });

  it('marks the DEFAULT_MODEL as the default', async () => {
    const other = await makeApp({ DEFAULT_MODEL: VEO });
    try {
      const models = (await other.app.inject({ method: 'GET', url: '/v1/models' })).json<
        ModelDescription[]
      >();
      expect(models.filter((m) => m.default).map((m) => m.id)).toEqual([VEO]);
    } finally {
      await other.close();
    }
  });
});
