import { describe, expect, it } from 'vitest';
import {
  FailureCode,
  GenerationJobDataSchema,
  parseFailure,
  toVideoView,
  videoStatus,
  type GenerationJob,
} from '../src/contract/index.js';

const INPUT = { model: 'sber-ai/kandinsky5-distill-t2v', prompt: 'a fox' };

/** A job as BullMQ hands it to toVideoView (only the fields the view reads). */
function job(data: unknown, extra: Partial<GenerationJob> = {}): GenerationJob {
  return { id: 'vid_1', data, timestamp: Date.UTC(2026, 0, 1), ...extra } as GenerationJob;
}

describe('job data: additive changes', () => {
  it('reads data written before the reconciling step and the cost fields existed', () => {
    const old = {
      input: INPUT,
      step: 'checking',
      clientRequestId: 'vid_1-1',
      generationId: 'g-1',
      submittedAt: 1,
      deadline: 2,
      polls: 3,
      retries: 0,
    };
    const parsed = GenerationJobDataSchema.parse(old);
    expect(parsed).toEqual(old);
    expect(GenerationJobDataSchema.parse({ input: INPUT })).toEqual({
      input: INPUT,
      step: 'pending',
      polls: 0,
      retries: 0,
    });
  });

  it('takes the reconciling step, its lookup state, the cost and the recovery', () => {
    const parsed = GenerationJobDataSchema.parse({
      input: INPUT,
      step: 'reconciling',
      reconcile: { clientRequestId: 'vid_1-1-abcd1234', sentAt: 10, since: 11, reason: 'HTTP 502' },
      costUsd: 0.1,
      creditsUsed: 200_000,
      recovered: true,
      recoveredFrom: 'succeeded',
    });
    expect(parsed.reconcile).toEqual({
      clientRequestId: 'vid_1-1-abcd1234',
      sentAt: 10,
      since: 11,
      reason: 'HTTP 502',
      lookups: 0,
      errors: 0,
    });
  });

  it("keeps every field of any model's request, and reads Kandinsky-era input unchanged", () => {
    const veo = {
      model: 'google/veo-3.1-t2v',
      prompt: 'a fox',
      resolution: '720p',
      generate_audio: false,
      seed: 7,
      cfg_scale: 0.5,
      negative_prompt: 'blur',
    };
    expect(GenerationJobDataSchema.parse({ input: veo }).input).toEqual(veo);
    const old = { ...INPUT, aspect_ratio: '1:1', duration: 10, num_inference_steps: 20 };
    expect(GenerationJobDataSchema.parse({ input: old }).input).toEqual(old);
    // A field is a string, number or boolean: nothing else reaches the provider.
    expect(GenerationJobDataSchema.safeParse({ input: { ...INPUT, image_list: ['x'] } }).success).toBe(false);
  });

  it('parses the new failure codes back', () => {
    for (const code of [FailureCode.GenerationNotFound, FailureCode.ModelNotAllowed]) {
      expect(parseFailure(`${code}: why`)).toEqual({ code, message: 'why' });
    }
  });
});

describe('video view', () => {
  it('shows a reconciling job as generating', () => {
    expect(videoStatus('delayed', 'reconciling', false, undefined)).toBe('generating');
  });

  it('says recovered only for a generation adopted from the usage logs', () => {
    const plain = toVideoView(job({ input: INPUT, step: 'checking', generationId: 'g' }), 'delayed', false);
    expect(plain).not.toHaveProperty('recovered');
    const recovered = toVideoView(
      job({ input: INPUT, step: 'checking', generationId: 'g', recovered: true }),
      'delayed',
      false,
    );
    expect(recovered).toMatchObject({ status: 'generating', generation_id: 'g', recovered: true });
    const done = toVideoView(
      job(
        { input: INPUT, step: 'checking', generationId: 'g', recovered: true },
        {
          returnvalue: {
            videoUrl: 'https://cdn/x.mp4',
            generationId: 'g',
            model: INPUT.model,
            polls: 1,
            submittedAt: 1,
            completedAt: 2,
            costUsd: 0.1,
            creditsUsed: 200_000,
            recovered: true,
          },
        },
      ),
      'completed',
      false,
    );
    expect(done).toMatchObject({
      status: 'completed',
      cost_usd: 0.1,
      credits_used: 200_000,
      recovered: true,
    });
  });
});
