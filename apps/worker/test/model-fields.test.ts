import { afterEach, describe, expect, it } from 'vitest';
import { vidqKeys } from '@vidqueue/core/contract';
import { startHarness, type Harness } from './harness.js';

const VEO = 'google/veo-3.1-t2v';
const KANDINSKY = 'sber-ai/kandinsky5-distill-t2v';

/** The worker sends each job's request exactly as it was validated: nothing stripped, nothing added. */
describe('the worker and any model’s fields', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('sends exactly the fields of the job (a boolean, a free integer, a free string, an enum) and no default', async () => {
    h = await startHarness();
    const prompt = `a lighthouse at dusk ${Date.now()}`;
    const fields = {
      resolution: '720p',
      generate_audio: false,
      seed: 7,
      negative_prompt: 'blur',
      duration: 4,
    };
    const job = await h.add({ input: { model: VEO, prompt, ...fields } });
    expect((await h.finished(job)).state).toBe('completed');
    expect(h.sim.stats().by_prompt[prompt]?.last_request).toEqual({ model: VEO, ...fields });
    // The job data keeps them too.
    expect((await h.job(job.id!)).data.input).toEqual({ model: VEO, prompt, ...fields });
  });

  it('runs job data written before other models existed, sending what it holds', async () => {
    h = await startHarness();
    const prompt = `an old job ${Date.now()}`;
    // Raw data, as an older producer wrote it: no step, polls or retries yet, Kandinsky's three fields.
    const input = { model: KANDINSKY, prompt, aspect_ratio: '1:1', duration: 10, num_inference_steps: 20 };
    const job = await h.queue.add('generate', { input } as never, { jobId: `vid_old${Date.now()}` });
    expect((await h.finished(job)).state).toBe('completed');
    const { prompt: _p, ...sent } = input;
    expect(h.sim.stats().by_prompt[prompt]?.last_request).toEqual(sent);
  });

  it('learns the generation time under model, duration and resolution (defaults filled in)', async () => {
    h = await startHarness({ env: { STATUS_SCHEDULE: 'adaptive' } });
    const a = await h.add({ input: { model: VEO, prompt: `res a ${Date.now()}`, resolution: '720p' } });
    const b = await h.add({ input: { model: KANDINSKY, prompt: `res b ${Date.now()}` } });
    expect((await Promise.all([h.finished(a), h.finished(b)])).map((o) => o.state)).toEqual([
      'completed',
      'completed',
    ]);
    await h.running!.flushMetrics();
    const keys = vidqKeys(h.config.QUEUE_PREFIX);
    expect(await h.redis.llen(keys.durations(VEO, 8, '720p'))).toBe(1);
    expect(await h.redis.llen(keys.durations(KANDINSKY, 5))).toBe(1);
  });
});
