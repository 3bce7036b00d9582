import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MODEL_ID,
  MODELS,
  SUPPORTED_MODEL_IDS,
  expectedDurationMs,
  getModel,
  listModels,
  validateGenerationParams,
} from '../src/index.js';

const DISTILL = 'sber-ai/kandinsky5-distill-t2v';
const FULL = 'sber-ai/kandinsky5-t2v';

function issuesOf(input: Record<string, unknown>, options?: Parameters<typeof validateGenerationParams>[1]) {
  const result = validateGenerationParams(input, options);
  if (result.ok) throw new Error('expected validation to fail');
  return result.issues;
}

describe('validateGenerationParams', () => {
  it('accepts a full Kandinsky request as given', () => {
    const input = {
      model: DISTILL,
      prompt: 'a fox',
      aspect_ratio: '2:3',
      duration: 10,
      num_inference_steps: 16,
    };
    expect(validateGenerationParams(input)).toEqual({ ok: true, value: input });
  });

  it('accepts only model and prompt, without filling defaults', () => {
    expect(validateGenerationParams({ model: FULL, prompt: 'a fox' })).toEqual({
      ok: true,
      value: { model: FULL, prompt: 'a fox' },
    });
  });

  it('takes text integers (CSV cells) and drops blank optional fields', () => {
    const result = validateGenerationParams({
      model: DISTILL,
      prompt: 'p',
      duration: '10',
      num_inference_steps: ' 20 ',
      aspect_ratio: '',
    });
    expect(result).toEqual({
      ok: true,
      value: { model: DISTILL, prompt: 'p', duration: 10, num_inference_steps: 20 },
    });
  });

  it('uses the default model when none is given', () => {
    expect(validateGenerationParams({ prompt: 'p' }, { defaultModel: DISTILL })).toEqual({
      ok: true,
      value: { model: DISTILL, prompt: 'p' },
    });
  });

  it('names a bad enum value and the allowed ones', () => {
    expect(issuesOf({ model: DISTILL, prompt: 'p', aspect_ratio: '16:9' })).toEqual([
      { path: 'aspect_ratio', message: 'aspect_ratio must be one of 3:2, 1:1, 2:3 (got "16:9")' },
    ]);
    expect(issuesOf({ model: DISTILL, prompt: 'p', duration: 7 })).toEqual([
      { path: 'duration', message: 'duration must be one of 5, 10 (got 7)' },
    ]);
    expect(issuesOf({ model: DISTILL, prompt: 'p', duration: '5s' })).toEqual([
      { path: 'duration', message: 'duration must be one of 5, 10 (got "5s")' },
    ]);
  });

  it('passes num_inference_steps through with its type checked only (the provider publishes no range)', () => {
    for (const steps of [0, -1, 1, 30, 101, 10_000, '500']) {
      expect(validateGenerationParams({ model: DISTILL, prompt: 'p', num_inference_steps: steps })).toEqual({
        ok: true,
        value: { model: DISTILL, prompt: 'p', num_inference_steps: Number(steps) },
      });
    }
    for (const bad of [2.5, 'many', true, 2 ** 60]) {
      expect(issuesOf({ model: DISTILL, prompt: 'p', num_inference_steps: bad })).toEqual([
        {
          path: 'num_inference_steps',
          message: `num_inference_steps must be an integer (got ${JSON.stringify(bad)})`,
        },
      ]);
    }
  });

  it('lists the supported models for an unknown or missing model', () => {
    const supported = `${DISTILL}, ${FULL}`;
    expect(issuesOf({ model: 'minimax/hailuo-02', prompt: 'p' })).toEqual([
      { path: 'model', message: `unsupported model "minimax/hailuo-02" (supported: ${supported})` },
    ]);
    expect(issuesOf({ prompt: 'p' })).toEqual([
      { path: 'model', message: `model is required (supported: ${supported})` },
    ]);
    expect(issuesOf({ model: 'constructor', prompt: 'p' })[0]?.path).toBe('model');
  });

  it('names a field the model does not take', () => {
    expect(issuesOf({ model: DISTILL, prompt: 'p', seed: 42 })).toEqual([
      {
        path: 'seed',
        message: `unknown field "seed" for model ${DISTILL} (allowed: model, prompt, aspect_ratio, duration, num_inference_steps)`,
      },
    ]);
    expect(issuesOf({ model: DISTILL, prompt: 'p', toString: 'x' })[0]?.path).toBe('toString');
  });

  it('requires a non-empty string prompt', () => {
    for (const prompt of [undefined, null, '', '   ']) {
      expect(issuesOf({ model: DISTILL, prompt })).toEqual([
        { path: 'prompt', message: 'prompt is required' },
      ]);
    }
    expect(issuesOf({ model: DISTILL, prompt: 42 })).toEqual([
      { path: 'prompt', message: 'prompt must be a string (got 42)' },
    ]);
    expect(issuesOf({ model: DISTILL, prompt: 'abcdef' }, { maxPromptLength: 5 })).toEqual([
      { path: 'prompt', message: 'prompt must be at most 5 characters (got 6)' },
    ]);
  });

  it('reports every issue at once', () => {
    const issues = issuesOf({ model: DISTILL, prompt: '', aspect_ratio: '9:16', duration: 6, fps: 24 });
    expect(issues.map((i) => i.path)).toEqual(['prompt', 'aspect_ratio', 'duration', 'fps']);
  });

  it('refuses a non-object', () => {
    expect(validateGenerationParams(null as unknown as Record<string, unknown>)).toEqual({
      ok: false,
      issues: [{ path: '', message: 'the request must be an object' }],
    });
  });
});

describe('model table', () => {
  it('has the two Kandinsky models, the distilled one by default', () => {
    expect(SUPPORTED_MODEL_IDS).toEqual([DISTILL, FULL]);
    expect(DEFAULT_MODEL_ID).toBe(DISTILL);
    expect(getModel(DISTILL)).toBe(MODELS[DISTILL]);
    expect(getModel('hasOwnProperty')).toBeUndefined();
  });

  it('describes the models as JSON for GET /v1/models', () => {
    const models = listModels();
    expect(JSON.parse(JSON.stringify(models))).toEqual(models);
    expect(models.map((m) => [m.id, m.default])).toEqual([
      [DISTILL, true],
      [FULL, false],
    ]);
    expect(models[0]?.parameters).toEqual({
      prompt: { type: 'string', required: true, description: expect.any(String) as string },
      aspect_ratio: {
        type: 'string',
        required: false,
        values: ['3:2', '1:1', '2:3'],
        default: '3:2',
        description: expect.any(String) as string,
      },
      duration: {
        type: 'integer',
        required: false,
        values: [5, 10],
        default: 5,
        description: expect.any(String) as string,
      },
      num_inference_steps: {
        type: 'integer',
        required: false,
        default: 30,
        description: expect.any(String) as string,
      },
    });
    expect(models[0]?.expected_seconds).toEqual({ '5': 45, '10': 70 });
  });

  it('estimates how long a generation takes', () => {
    expect(expectedDurationMs(DISTILL, 5)).toBe(45_000);
    expect(expectedDurationMs(DISTILL, 10)).toBe(70_000);
    expect(expectedDurationMs(DISTILL)).toBe(45_000);
    expect(expectedDurationMs(FULL, 5)).toBe(150_000);
    expect(expectedDurationMs(FULL, 10)).toBe(300_000);
    // Not in the table: scaled from the nearest listed duration.
    expect(expectedDurationMs(DISTILL, 20)).toBe(140_000);
    expect(expectedDurationMs('unknown/model', 5)).toBeUndefined();
  });
});
