import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MODEL_ID,
  createCatalogue,
  shippedCatalogue,
  validateGenerationParams,
} from '../src/index.js';
import { codePointLength, unpairedSurrogate } from '../src/validate.js';

const DISTILL = 'sber-ai/kandinsky5-distill-t2v';
const FULL = 'sber-ai/kandinsky5-t2v';

function issuesOf(input: Record<string, unknown>, options?: Parameters<typeof validateGenerationParams>[1]) {
  const result = validateGenerationParams(input, options);
  if (result.ok) throw new Error('expected validation to fail');
  return result.issues;
}

function valueOf(input: Record<string, unknown>, options?: Parameters<typeof validateGenerationParams>[1]) {
  const result = validateGenerationParams(input, options);
  if (!result.ok) throw new Error(`expected validation to pass: ${JSON.stringify(result.issues)}`);
  return result.value;
}

describe('validateGenerationParams: Kandinsky 5', () => {
  it('accepts a full request as given, only model and prompt, and fills in no default', () => {
    const input = {
      model: DISTILL,
      prompt: 'a fox',
      aspect_ratio: '2:3',
      duration: 10,
      num_inference_steps: 16,
    };
    expect(valueOf(input)).toEqual(input);
    expect(valueOf({ model: FULL, prompt: 'a fox' })).toEqual({ model: FULL, prompt: 'a fox' });
  });

  it('reads CSV text in text mode and drops blank fields', () => {
    const input = {
      model: DISTILL,
      prompt: 'p',
      duration: '10',
      num_inference_steps: ' 20 ',
      aspect_ratio: '',
    };
    expect(valueOf(input, { mode: 'text' })).toEqual({
      model: DISTILL,
      prompt: 'p',
      duration: 10,
      num_inference_steps: 20,
    });
    // JSON mode (the HTTP API, the SDK): a string is not an integer, as the provider sees it.
    expect(issuesOf({ model: DISTILL, prompt: 'p', duration: '10' })).toEqual([
      { path: 'duration', message: `duration must be one of 5, 10 for model ${DISTILL} (got "10")` },
    ]);
  });

  it('names a number JSON cannot hold (1e309 reads as Infinity) instead of showing it as null', () => {
    expect(issuesOf({ model: DISTILL, prompt: 'p', duration: Number.POSITIVE_INFINITY })).toEqual([
      {
        path: 'duration',
        message: `duration must be one of 5, 10 for model ${DISTILL} (got Infinity (a number out of range))`,
      },
    ]);
  });

  it('uses the default model when none is given', () => {
    expect(valueOf({ prompt: 'p' }, { defaultModel: DISTILL })).toEqual({ model: DISTILL, prompt: 'p' });
  });

  it('names a bad enum value, the model and the allowed values', () => {
    expect(issuesOf({ model: DISTILL, prompt: 'p', aspect_ratio: '16:9' })).toEqual([
      {
        path: 'aspect_ratio',
        message: `aspect_ratio must be one of 3:2, 1:1, 2:3 for model ${DISTILL} (got "16:9")`,
      },
    ]);
    expect(issuesOf({ model: DISTILL, prompt: 'p', duration: '5s' }, { mode: 'text' })).toEqual([
      { path: 'duration', message: `duration must be one of 5, 10 for model ${DISTILL} (got "5s")` },
    ]);
  });

  it('passes num_inference_steps through with its type checked only (the provider publishes no range)', () => {
    for (const steps of [0, -1, 1, 30, 101, 10_000]) {
      expect(valueOf({ model: DISTILL, prompt: 'p', num_inference_steps: steps }).num_inference_steps).toBe(
        steps,
      );
    }
    for (const bad of [2.5, 'many', true, 2 ** 60]) {
      expect(issuesOf({ model: DISTILL, prompt: 'p', num_inference_steps: bad })).toEqual([
        {
          path: 'num_inference_steps',
          message: `num_inference_steps must be an integer for model ${DISTILL} (got ${JSON.stringify(bad)})`,
        },
      ]);
    }
  });

  it('names an unknown or missing model', () => {
    expect(issuesOf({ model: 'acme/video-9', prompt: 'p' })).toEqual([
      {
        path: 'model',
        message:
          'unknown model "acme/video-9" (not in the catalogue of 64 models: GET /v1/models or vidq models lists them)',
      },
    ]);
    expect(issuesOf({ prompt: 'p' })).toEqual([
      { path: 'model', message: 'model is required (64 models: GET /v1/models or vidq models lists them)' },
    ]);
    expect(issuesOf({ model: 'constructor', prompt: 'p' })[0]?.path).toBe('model');
    expect(issuesOf({ model: 'alibaba/wan-2-6-r2v', prompt: 'p' })).toEqual([
      {
        path: 'model',
        message:
          'model "alibaba/wan-2-6-r2v" is not offered: it requires video_urls (a video input: vidqueue sends text prompts only)',
      },
    ]);
  });

  it("names a field the model does not take, with the model's fields", () => {
    expect(issuesOf({ model: DISTILL, prompt: 'p', seed: 42 })).toEqual([
      {
        path: 'seed',
        message: `seed is not a field of model ${DISTILL} (its fields: model, prompt, aspect_ratio, duration, num_inference_steps)`,
      },
    ]);
    expect(issuesOf({ model: DISTILL, prompt: 'p', toString: 'x' })[0]?.path).toBe('toString');
  });

  it('requires a non-empty string prompt within MAX_PROMPT_LENGTH', () => {
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

describe('validateGenerationParams: every field type, with real models from the data', () => {
  it('a boolean (generate_audio of alibaba/wan-2-6-t2v)', () => {
    const model = 'alibaba/wan-2-6-t2v';
    expect(valueOf({ model, prompt: 'p', generate_audio: false }).generate_audio).toBe(false);
    expect(valueOf({ model, prompt: 'p', generate_audio: 'TRUE' }, { mode: 'text' }).generate_audio).toBe(
      true,
    );
    expect(valueOf({ model, prompt: 'p', generate_audio: '0' }, { mode: 'text' }).generate_audio).toBe(false);
    expect(issuesOf({ model, prompt: 'p', generate_audio: 'true' })).toEqual([
      {
        path: 'generate_audio',
        message: `generate_audio must be true or false for model ${model} (got "true")`,
      },
    ]);
    expect(issuesOf({ model, prompt: 'p', generate_audio: 'maybe' }, { mode: 'text' })[0]?.message).toBe(
      `generate_audio must be true or false for model ${model} (got "maybe")`,
    );
  });

  it('a number range (cfg_scale of kling-video/v1.6/pro/text-to-video, 0 to 1)', () => {
    const model = 'kling-video/v1.6/pro/text-to-video';
    for (const ok of [0, 0.5, 1]) expect(valueOf({ model, prompt: 'p', cfg_scale: ok }).cfg_scale).toBe(ok);
    expect(valueOf({ model, prompt: 'p', cfg_scale: '.25' }, { mode: 'text' }).cfg_scale).toBe(0.25);
    for (const bad of [-0.1, 1.5, '0.5']) {
      expect(issuesOf({ model, prompt: 'p', cfg_scale: bad })).toEqual([
        {
          path: 'cfg_scale',
          message: `cfg_scale must be a number from 0 to 1 for model ${model} (got ${JSON.stringify(bad)})`,
        },
      ]);
    }
  });

  it('a free integer (seed of alibaba/wan2.5-t2v-preview: no bounds published)', () => {
    const model = 'alibaba/wan2.5-t2v-preview';
    for (const seed of [-1, 0, 42, 2 ** 31, Number.MAX_SAFE_INTEGER]) {
      expect(valueOf({ model, prompt: 'p', seed }).seed).toBe(seed);
    }
    expect(issuesOf({ model, prompt: 'p', seed: 1.5 })[0]?.message).toBe(
      `seed must be an integer for model ${model} (got 1.5)`,
    );
  });

  it('an integer range (duration of blackforestlabs/flux-3-video-t2v, 5 to 20)', () => {
    const model = 'blackforestlabs/flux-3-video-t2v';
    expect(valueOf({ model, prompt: 'p', duration: 20 }).duration).toBe(20);
    expect(issuesOf({ model, prompt: 'p', duration: 21 })[0]?.message).toBe(
      `duration must be an integer from 5 to 20 for model ${model} (got 21)`,
    );
  });

  it('strings with length bounds (negative_prompt ≤ 500 of alibaba/wan-2-7-r2v; prompt ≤ 2000 of minimax/hailuo-02)', () => {
    const model = 'alibaba/wan-2-7-r2v';
    expect(valueOf({ model, prompt: 'p', negative_prompt: 'x'.repeat(500) }).negative_prompt).toHaveLength(
      500,
    );
    expect(issuesOf({ model, prompt: 'p', negative_prompt: 'x'.repeat(501) })[0]?.message).toBe(
      `negative_prompt must be a string of at most 500 characters for model ${model} (got "${'x'.repeat(58)}…)`,
    );
    expect(issuesOf({ model: 'minimax/hailuo-02', prompt: 'y'.repeat(2001) })).toEqual([
      {
        path: 'prompt',
        message: 'prompt must be at most 2000 characters for model minimax/hailuo-02 (got 2001)',
      },
    ]);
  });

  it('a free string (negative_prompt of google/veo3) and a string enum with a case hint (resolution 720P)', () => {
    expect(
      valueOf({ model: 'google/veo3', prompt: 'p', negative_prompt: 'blur', resolution: '1080P' }),
    ).toEqual({
      model: 'google/veo3',
      prompt: 'p',
      negative_prompt: 'blur',
      resolution: '1080P',
    });
    expect(issuesOf({ model: 'google/veo3', prompt: 'p', resolution: '1080p' })).toEqual([
      {
        path: 'resolution',
        message:
          'resolution must be one of 720P, 1080P for model google/veo3 (got "1080p"; did you mean "1080P"? values are case-sensitive)',
      },
    ]);
  });

  it('an integer enum whose docs default is a string (duration of alibaba/happyhorse-1-0: "10")', () => {
    const duration = shippedCatalogue().get('alibaba/happyhorse-1-0')!.fields.duration!;
    expect(duration).toMatchObject({
      type: 'integer',
      default: 10,
      notes: [expect.stringContaining('"10"')],
    });
    expect(valueOf({ model: 'alibaba/happyhorse-1-0', prompt: 'p', duration: 3 }).duration).toBe(3);
    expect(issuesOf({ model: 'alibaba/happyhorse-1-0', prompt: 'p', duration: 16 })[0]?.message).toBe(
      'duration must be one of 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 for model alibaba/happyhorse-1-0 (got 16)',
    );
  });

  it('a field the model publishes but vidqueue does not offer names why', () => {
    expect(issuesOf({ model: 'minimax/hailuo-02', prompt: 'p', image_url: 'https://x/a.png' })).toEqual([
      {
        path: 'image_url',
        message:
          'image_url is not offered for model minimax/hailuo-02: an image input: vidqueue sends text prompts only',
      },
    ]);
  });

  it('takes an alias and answers the canonical id', () => {
    const data = structuredClone(shippedCatalogue().data);
    data.models.find((m) => m.id === DEFAULT_MODEL_ID)!.aliases.push('kandinsky5-distill-t2v');
    const catalogue = createCatalogue(data);
    expect(valueOf({ model: 'kandinsky5-distill-t2v', prompt: 'p' }, { catalogue }).model).toBe(
      DEFAULT_MODEL_ID,
    );
  });
});

describe('validateGenerationParams: prompts as text (code points, no half characters)', () => {
  const half = (name: string, unit: string) =>
    `${name} contains an unpaired surrogate (${unit}): half of a character, not text`;

  it('counts MAX_PROMPT_LENGTH in characters: 4000 emoji pass, 4001 are refused with their count', () => {
    const fox = '🦊'.repeat(4000); // 8000 UTF-16 units
    expect(valueOf({ model: DISTILL, prompt: fox }, { maxPromptLength: 4000 }).prompt).toBe(fox);
    expect(issuesOf({ model: DISTILL, prompt: `${fox}🦊` }, { maxPromptLength: 4000 })).toEqual([
      { path: 'prompt', message: 'prompt must be at most 4000 characters (got 4001)' },
    ]);
  });

  it("counts a model's own prompt bound in characters too (minimax/hailuo-02: 2000)", () => {
    const model = 'minimax/hailuo-02';
    expect(valueOf({ model, prompt: 'é🦊'.repeat(1000) }).prompt).toHaveLength(3000);
    expect(issuesOf({ model, prompt: '🦊'.repeat(2001) })).toEqual([
      { path: 'prompt', message: `prompt must be at most 2000 characters for model ${model} (got 2001)` },
    ]);
  });

  it('refuses an unpaired surrogate in the prompt or a string field, naming the half character', () => {
    expect(issuesOf({ model: DISTILL, prompt: 'bad \ud83d here' })).toEqual([
      { path: 'prompt', message: half('prompt', '\\ud83d') },
    ]);
    expect(issuesOf({ model: DISTILL, prompt: '\udc00' }, { maxPromptLength: 4000 })).toEqual([
      { path: 'prompt', message: half('prompt', '\\udc00') },
    ]);
    expect(issuesOf({ model: 'google/veo3', prompt: 'p', negative_prompt: 'blur \udfff' })).toEqual([
      { path: 'negative_prompt', message: half('negative_prompt', '\\udfff') },
    ]);
    expect(issuesOf({ model: DISTILL, prompt: 'p', aspect_ratio: '\ud83d' }, { mode: 'text' })).toEqual([
      { path: 'aspect_ratio', message: half('aspect_ratio', '\\ud83d') },
    ]);
    expect(valueOf({ model: DISTILL, prompt: 'a whole \ud83e\udd8a' }).prompt).toBe('a whole 🦊');
  });

  it("a model's other string bounds count characters too (negative_prompt of 500)", () => {
    const model = 'alibaba/wan-2-7-r2v';
    const issues = (input: Record<string, unknown>) => {
      const result = validateGenerationParams({ model, prompt: 'p', ...input });
      return result.ok ? [] : result.issues.filter((i) => i.path === 'negative_prompt');
    };
    expect(issues({ negative_prompt: '🦊'.repeat(500) })).toEqual([]);
    expect(issues({ negative_prompt: '🦊'.repeat(501) })).toHaveLength(1);
  });

  it('codePointLength and unpairedSurrogate, the helpers every prompt check uses', () => {
    expect(codePointLength('🦊'.repeat(3))).toBe(3);
    expect(codePointLength('café')).toBe(4);
    expect(unpairedSurrogate('x\ud83d')).toBe('\\ud83d');
    expect(unpairedSurrogate('\udd8a\ud83e')).toBe('\\udd8a');
    expect(unpairedSurrogate('🦊')).toBeUndefined();
  });
});
