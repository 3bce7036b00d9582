import { describe, expect, it } from 'vitest';
import {
  CatalogueError,
  DEFAULT_MODEL_ID,
  GUESS_SECONDS_PER_VIDEO_SECOND,
  createCatalogue,
  effectiveParams,
  expectedSeconds,
  listModels,
  shippedCatalogue,
  timingKey,
} from '../src/index.js';

const DISTILL = 'sber-ai/kandinsky5-distill-t2v';
const FULL = 'sber-ai/kandinsky5-t2v';
const model = (id: string) => shippedCatalogue().get(id)!;

describe('effectiveParams', () => {
  it('fills in every default the request left out, keeps what it gave', () => {
    expect(effectiveParams('google/veo-3.1-t2v', { prompt: 'p', duration: 4, seed: 7 })).toEqual({
      model: 'google/veo-3.1-t2v',
      params: {
        duration: 4,
        seed: 7,
        resolution: '1080p',
        generate_audio: true,
        auto_fix: true,
        enhance_prompt: true,
      },
      defaulted: ['resolution', 'generate_audio', 'auto_fix', 'enhance_prompt'],
    });
  });

  it('uses the normalised default of a string-written integer (duration "5" → 5)', () => {
    expect(effectiveParams(DISTILL, { model: DISTILL, prompt: 'p' }).params).toEqual({
      aspect_ratio: '3:2',
      duration: 5,
      num_inference_steps: 30,
    });
  });

  it('leaves out a field without a published default (duration of bytedance/seedance-1-0-lite-t2v)', () => {
    const { params } = effectiveParams('bytedance/seedance-1-0-lite-t2v', {});
    expect(params).not.toHaveProperty('duration');
    expect(params.resolution).toBe('1080p');
  });

  it('gives the text-only default the overlay states (minimax/h3 ratio 16:9, not adaptive)', () => {
    expect(effectiveParams('minimax/h3', {}).params).toEqual({
      duration: 6,
      resolution: '2K',
      ratio: '16:9',
    });
  });

  it('takes a catalogue model or an alias, and refuses an unknown model', () => {
    expect(effectiveParams(model(FULL), { duration: 10 }).params.duration).toBe(10);
    const data = structuredClone(shippedCatalogue().data);
    data.models.find((m) => m.id === DISTILL)!.aliases.push('kandinsky5-distill-t2v');
    expect(effectiveParams('kandinsky5-distill-t2v', {}, createCatalogue(data)).model).toBe(DISTILL);
    expect(() => effectiveParams('acme/video-9', {})).toThrow(TypeError);
  });
});

describe('timing', () => {
  it('keys by model, duration and resolution where the model has one, defaults filled in', () => {
    expect(timingKey(model(DISTILL), {})).toEqual({ model: DISTILL, duration: 5 });
    expect(timingKey(model(DISTILL), { duration: 10 })).toEqual({ model: DISTILL, duration: 10 });
    expect(timingKey(model('google/veo-3.1-t2v'), { resolution: '720p' })).toEqual({
      model: 'google/veo-3.1-t2v',
      duration: 8,
      resolution: '720p',
    });
    expect(timingKey(model('luma/ray-1-6'), {})).toEqual({ model: 'luma/ray-1-6' });
  });

  it('measured seconds for Kandinsky, a marked guess for the others', () => {
    expect(expectedSeconds(model(DISTILL), 5)).toEqual({ seconds: 45, guess: false });
    expect(expectedSeconds(model(DISTILL), 10)).toEqual({ seconds: 70, guess: false });
    expect(expectedSeconds(model(DISTILL))).toEqual({ seconds: 45, guess: false });
    expect(expectedSeconds(model(FULL), 10)).toEqual({ seconds: 300, guess: false });
    expect(expectedSeconds(model(DISTILL), 20)).toEqual({ seconds: 140, guess: false });
    expect(expectedSeconds(model('openai/sora-2-t2v'), 8)).toEqual({
      seconds: 8 * GUESS_SECONDS_PER_VIDEO_SECOND,
      guess: true,
    });
    expect(expectedSeconds(model('openai/sora-2-t2v'))).toEqual({
      seconds: 4 * GUESS_SECONDS_PER_VIDEO_SECOND,
      guess: true,
    });
  });
});

describe('listModels (GET /v1/models)', () => {
  it('describes every offered model as JSON, the default one marked', () => {
    const models = listModels();
    expect(JSON.parse(JSON.stringify(models))).toEqual(models);
    expect(models).toHaveLength(64);
    expect(models.filter((m) => m.default).map((m) => m.id)).toEqual([DEFAULT_MODEL_ID]);
    expect(
      listModels(shippedCatalogue(), FULL)
        .filter((m) => m.default)
        .map((m) => m.id),
    ).toEqual([FULL]);
  });

  it('keeps the fields of the two-model table and adds the new ones', () => {
    const distill = listModels().find((m) => m.id === DISTILL)!;
    expect(distill).toMatchObject({
      label: 'Kandinsky 5 Video Lite (distilled)',
      aliases: [],
      not_offered: {},
      expected_seconds: { '5': 45, '10': 70 },
      expected_seconds_guess: false,
    });
    expect(distill.parameters).toEqual({
      prompt: { type: 'string', required: true, description: expect.any(String) as string },
      aspect_ratio: {
        type: 'string',
        required: false,
        values: ['3:2', '1:1', '2:3'],
        default: '3:2',
        description: expect.any(String) as string,
        notes: ['3:2 is 768x512, 1:1 is 512x512, 2:3 is 512x768.'],
      },
      duration: {
        type: 'integer',
        required: false,
        values: [5, 10],
        default: 5,
        description: expect.any(String) as string,
        notes: ['The docs write the default as the string "5"; it is the number 5.'],
      },
      num_inference_steps: {
        type: 'integer',
        required: false,
        default: 30,
        description: expect.any(String) as string,
        notes: [expect.stringContaining('publishes no range') as string],
      },
    });
  });

  it('gives booleans, number ranges and length bounds, and a guessed time per allowed duration', () => {
    const kling = listModels().find((m) => m.id === 'klingai/video-v2-6-pro-text-to-video')!;
    expect(kling.parameters.cfg_scale).toMatchObject({ type: 'number', minimum: 0, maximum: 1 });
    expect(kling.parameters.generate_audio).toMatchObject({ type: 'boolean', default: true });
    expect(kling.parameters.prompt).toMatchObject({ type: 'string', required: true, max_length: 2500 });
    expect(kling.expected_seconds).toEqual({ '5': 60, '10': 120 });
    expect(kling.expected_seconds_guess).toBe(true);
    const flux = listModels().find((m) => m.id === 'blackforestlabs/flux-3-video-t2v')!;
    expect(flux.expected_seconds).toEqual({ '5': 60, '20': 240 });
  });
});

describe('createCatalogue', () => {
  it('refuses a file that is not a catalogue, naming the problem', () => {
    expect(() => createCatalogue({ models: [] })).toThrow(CatalogueError);
    const data = structuredClone(shippedCatalogue().data);
    (data.models[0]!.fields.prompt as { required?: boolean }).required = false;
    expect(() => createCatalogue(data)).toThrow(/models\.0\.fields\.prompt: must be a required string/);
    const bad = structuredClone(shippedCatalogue().data);
    bad.models.find((m) => m.id === DISTILL)!.fields.duration = {
      type: 'integer',
      enum: [5, 10],
      default: 7,
    };
    expect(() => createCatalogue(bad)).toThrow(/fields\.duration\.default: is not an allowed value/);
  });
});
