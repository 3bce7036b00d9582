import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DelayedError, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { vidqKeys, type GenerationJobData, type GenerationResult } from '@vidqueue/core/contract';
import { GENERATION_ATTEMPTS, GENERATIONS_QUEUE, GENERATION_JOB_NAME } from '@vidqueue/core/store';
import { createRedis } from '@vidqueue/core/runtime';
import { CANCEL_TTL_SECONDS, IDEMPOTENCY_TTL_SECONDS } from '@vidqueue/core/contract';
import { makeApp, testRedis, type TestApp } from './helpers.js';

let t: TestApp;
let redis: Redis;
const workers: Worker[] = [];

beforeEach(async () => {
  t = await makeApp({ MAX_PROMPT_LENGTH: '50' });
  redis = testRedis();
});

afterEach(async () => {
  for (const w of workers.splice(0)) await w.close(true);
  await t.close();
  await redis.quit();
});

function post(payload: unknown, headers: Record<string, string> = {}) {
  return t.app.inject({ method: 'POST', url: '/v1/videos', payload: payload as object, headers });
}

async function jobCount(): Promise<number> {
  const counts = await t.app.queue.getJobCounts();
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/** A real BullMQ worker on the test's queue running `processor` (stands in for apps/worker). */
function runWorker(processor: ConstructorParameters<typeof Worker<GenerationJobData, GenerationResult>>[1]) {
  const worker = new Worker<GenerationJobData, GenerationResult>(GENERATIONS_QUEUE, processor, {
    connection: createRedis(t.config.REDIS_URL, 'worker'),
    prefix: t.config.QUEUE_PREFIX,
  });
  workers.push(worker as Worker);
  return worker;
}

describe('POST /v1/videos', () => {
  it('answers 202 with the id and Location, and enqueues one job with the documented data', async () => {
    const res = await post({
      prompt: 'a red fox in snow',
      aspect_ratio: '1:1',
      duration: 10,
      custom_id: 'fox-1',
      metadata: { campaign: 'winter', n: 3 },
    });
    expect(res.statusCode).toBe(202);
    const body = res.json<{ id: string; status: string; model: string; created_at: string }>();
    expect(body).toEqual({
      id: expect.stringMatching(/^vid_[A-Za-z0-9_-]{16}$/) as unknown,
      status: 'queued',
      model: 'sber-ai/kandinsky5-distill-t2v',
      // No provider catalogue in this file (see prices.test.ts): unpriced, never 0.
      estimated_cost_usd: null,
      created_at: expect.any(String) as unknown,
    });
    expect(Date.parse(body.created_at)).toBeGreaterThan(Date.now() - 60_000);
    expect(res.headers.location).toBe(`/v1/videos/${body.id}`);

    const job = await t.app.queue.getJob(body.id);
    expect(job?.name).toBe(GENERATION_JOB_NAME);
    expect(job?.data).toEqual({
      input: {
        model: 'sber-ai/kandinsky5-distill-t2v',
        prompt: 'a red fox in snow',
        aspect_ratio: '1:1',
        duration: 10,
      },
      customId: 'fox-1',
      metadata: { campaign: 'winter', n: 3 },
      estimatedCostUsd: null,
    });
    expect(job?.opts.attempts).toBe(GENERATION_ATTEMPTS);
    // A single prompt goes before every batch row (fair sharing): priority 1.
    expect(job?.priority).toBe(1);
    expect(await job?.getState()).toBe('prioritized');
  });

  it('uses DEFAULT_MODEL when the request names none, and honours an explicit model', async () => {
    const res = await post({ prompt: 'a lighthouse', model: 'sber-ai/kandinsky5-t2v' });
    expect(res.statusCode).toBe(202);
    expect(res.json<{ model: string }>().model).toBe('sber-ai/kandinsky5-t2v');
  });

  it.each([
    ['missing prompt', { aspect_ratio: '1:1' }, 'prompt'],
    ['blank prompt', { prompt: '   ' }, 'prompt'],
    ['too long prompt', { prompt: 'x'.repeat(51) }, 'prompt'],
    ['bad aspect_ratio', { prompt: 'a fox', aspect_ratio: '16:9' }, 'aspect_ratio'],
    ['bad duration', { prompt: 'a fox', duration: 7 }, 'duration'],
    ['non-integer duration', { prompt: 'a fox', duration: 5.5 }, 'duration'],
    ['unknown model', { prompt: 'a fox', model: 'acme/video-9000' }, 'model'],
    ['blank model (leaving it out means the default)', { prompt: 'a fox', model: '  ' }, 'model'],
    ['unknown field', { prompt: 'a fox', seed: 42 }, 'seed'],
    [
      'a list',
      { prompt: 'a fox', model: 'minimax/h3', reference_image_urls: ['https://x/a.png'] },
      'reference_image_urls',
    ],
    ['nested metadata', { prompt: 'a fox', metadata: { a: { b: 1 } } }, 'metadata.a'],
  ])('answers 400 with field details for %s, and enqueues nothing', async (_name, payload, path) => {
    const res = await post(payload);
    expect(res.statusCode).toBe(400);
    const body = res.json<{
      error: { code: string; message: string; details: { path: string; message: string }[] };
    }>();
    expect(body.error.code).toBe('VALIDATION_ERROR');
    expect(body.error.details.map((d) => d.path)).toContain(path);
    expect(await jobCount()).toBe(0);
  });

  it('says a missing prompt is required, and names a field written in another case ("Prompt")', async () => {
    const missing = await post({ model: 'sber-ai/kandinsky5-distill-t2v' });
    expect(missing.json<{ error: { details: unknown } }>().error.details).toEqual([
      { path: 'prompt', message: 'is required' },
    ]);
    const cased = await post({ Prompt: 'a fox' });
    expect(cased.statusCode).toBe(400);
    expect(cased.json<{ error: { details: unknown } }>().error.details).toEqual([
      {
        path: 'prompt',
        message: 'is required (the request has "Prompt": field names are lower case, did you mean "prompt"?)',
      },
    ]);
    expect((await post({ prompt: 42 })).json<{ error: { details: unknown } }>().error.details).toEqual([
      { path: 'prompt', message: 'must be a string' },
    ]);
  });

  it('lists the allowed values when a parameter is not one of them', async () => {
    const res = await post({ prompt: 'a fox', aspect_ratio: '16:9' });
    expect(res.json()).toEqual({
      error: {
        code: 'VALIDATION_ERROR',
        message: 'The request is invalid',
        details: [
          {
            path: 'aspect_ratio',
            message:
              'aspect_ratio must be one of 3:2, 1:1, 2:3 for model sber-ai/kandinsky5-distill-t2v (got "16:9")',
          },
        ],
      },
    });
  });

  it('answers 400 for a body that is not JSON, and 415 for another media type', async () => {
    const bad = await t.app.inject({
      method: 'POST',
      url: '/v1/videos',
      headers: { 'content-type': 'application/json' },
      payload: '{"prompt":',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: { code: string } }>().error.code).toBe('BAD_REQUEST');

    const text = await t.app.inject({
      method: 'POST',
      url: '/v1/videos',
      headers: { 'content-type': 'text/plain' },
      payload: 'a fox',
    });
    expect(text.statusCode).toBe(415);
    expect(text.json<{ error: { code: string } }>().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers 413 JSON for a body over 1 MB', async () => {
    const res = await post({ prompt: 'x'.repeat(1024 * 1024 + 10) });
    expect(res.statusCode).toBe(413);
    expect(res.json<{ error: { code: string } }>().error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await jobCount()).toBe(0);
  });
});

describe('Idempotency-Key', () => {
  it('returns the same video for a repeated request and enqueues it once', async () => {
    const headers = { 'idempotency-key': 'order-42' };
    const first = await post({ prompt: 'a red fox' }, headers);
    expect(first.statusCode).toBe(202);
    const id = first.json<{ id: string }>().id;

    const again = await post({ prompt: 'a red fox' }, headers);
    expect(again.statusCode).toBe(200);
    expect(again.json<{ id: string; status: string }>()).toMatchObject({ id, status: 'queued' });
    expect(again.headers.location).toBe(`/v1/videos/${id}`);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await jobCount()).toBe(1);

    const key = vidqKeys(t.config.QUEUE_PREFIX).idempotency('order-42');
    // The claim: the video id, the request's fingerprint (SHA-256), and that its job was added.
    expect(await redis.get(key)).toMatch(new RegExp(`^${id} [0-9a-f]{64} added$`));
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(IDEMPOTENCY_TTL_SECONDS - 60);
    expect(ttl).toBeLessThanOrEqual(IDEMPOTENCY_TTL_SECONDS);
  });

  it('enqueues once when the same key arrives concurrently', async () => {
    const headers = { 'idempotency-key': 'burst-1' };
    const answers = await Promise.all(Array.from({ length: 8 }, () => post({ prompt: 'a fox' }, headers)));
    const ids = new Set(answers.map((a) => a.json<{ id: string }>().id));
    expect(ids.size).toBe(1);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 202]);
    expect(await jobCount()).toBe(1);
  });

  it('answers 409 when the key is reused with a different body', async () => {
    const headers = { 'idempotency-key': 'order-43' };
    expect((await post({ prompt: 'a red fox' }, headers)).statusCode).toBe(202);
    const other = await post({ prompt: 'a blue fox' }, headers);
    expect(other.statusCode).toBe(409);
    expect(other.json<{ error: { code: string } }>().error.code).toBe('IDEMPOTENCY_KEY_MISMATCH');
    expect(await jobCount()).toBe(1);
  });

  it('different keys make different videos', async () => {
    const a = await post({ prompt: 'a fox' }, { 'idempotency-key': 'k-a' });
    const b = await post({ prompt: 'a fox' }, { 'idempotency-key': 'k-b' });
    expect(a.json<{ id: string }>().id).not.toBe(b.json<{ id: string }>().id);
    expect(await jobCount()).toBe(2);
  });

  it('rejects a malformed key with 400', async () => {
    const res = await post({ prompt: 'a fox' }, { 'idempotency-key': 'has space' });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: { details: { path: string }[] } }>().error.details[0]?.path).toBe(
      'headers.idempotency-key',
    );
  });
});

describe('GET /v1/videos/:id', () => {
  async function get(id: string) {
    const res = await t.app.inject({ method: 'GET', url: `/v1/videos/${id}` });
    return { statusCode: res.statusCode, body: res.json<Record<string, unknown>>() };
  }

  it('shows a new video as queued, with what was asked', async () => {
    const id = (await post({ prompt: 'a fox', custom_id: 'c-1', metadata: { row: 1 } })).json<{
      id: string;
    }>().id;
    const { statusCode, body } = await get(id);
    expect(statusCode).toBe(200);
    expect(body).toEqual({
      id,
      status: 'queued',
      model: 'sber-ai/kandinsky5-distill-t2v',
      prompt: 'a fox',
      custom_id: 'c-1',
      metadata: { row: 1 },
      generation_id: null,
      generation_ids: [],
      video_url: null,
      provider_video_url: null,
      archive: null,
      error: null,
      polls: 0,
      created_at: expect.any(String) as unknown,
      submitted_at: null,
      completed_at: null,
      estimated_cost_usd: null,
      max_cost_usd: null,
      cost_usd: null,
      credits_used: null,
      pause: null,
    });
  });

  it('answers 404 JSON for an unknown id', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/videos/vid_doesnotexist' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: { code: 'VIDEO_NOT_FOUND', message: 'No video with id vid_doesnotexist' },
    });
  });

  it('shows generating while the job waits between status checks, then completed with the result', async () => {
    const id = (await post({ prompt: 'a fox' })).json<{ id: string }>().id;
    const submittedAt = Date.now();
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    runWorker(async (job, token) => {
      if (job.data.step !== 'checking') {
        await job.updateData({
          ...job.data,
          step: 'checking',
          generationId: 'gen-1:m',
          submittedAt,
          polls: 1,
        });
        await job.moveToDelayed(Date.now() + 60_000, token);
        throw new DelayedError();
      }
      await released;
      return {
        videoUrl: 'https://cdn.example/v.mp4',
        generationId: 'gen-1:m',
        model: job.data.input.model,
        polls: 2,
        submittedAt,
        completedAt: submittedAt + 5_000,
        costUsd: 1.95,
        creditsUsed: 3_900_000,
      };
    });

    await expect.poll(async () => (await get(id)).body.status).toBe('generating');
    expect((await get(id)).body).toMatchObject({
      generation_id: 'gen-1:m',
      polls: 1,
      submitted_at: new Date(submittedAt).toISOString(),
      video_url: null,
    });

    release();
    const job = await t.app.queue.getJob(id);
    await job?.promote();
    await expect.poll(async () => (await get(id)).body.status).toBe('completed');
    expect((await get(id)).body).toMatchObject({
      video_url: 'https://cdn.example/v.mp4',
      generation_id: 'gen-1:m',
      polls: 2,
      error: null,
      completed_at: new Date(submittedAt + 5_000).toISOString(),
      cost_usd: 1.95,
      credits_used: 3_900_000,
    });
  });

  it('shows failed with the code and message from the failure reason', async () => {
    const id = (await post({ prompt: 'a fox' })).json<{ id: string }>().id;
    runWorker(() => Promise.reject(new UnrecoverableError('generation_failed: the provider said no')));
    await expect.poll(async () => (await get(id)).body.status).toBe('failed');
    const { body } = await get(id);
    expect(body.error).toEqual({ code: 'generation_failed', message: 'the provider said no' });
    expect(body.completed_at).toEqual(expect.any(String));
  });

  it('shows an unexpected failure as internal_error', async () => {
    const id = (await post({ prompt: 'a fox' })).json<{ id: string }>().id;
    // A failure reason without one of our codes (UnrecoverableError: final at once, no re-run).
    runWorker(() => Promise.reject(new UnrecoverableError('boom')));
    await expect.poll(async () => (await get(id)).body.status).toBe('failed');
    expect((await get(id)).body.error).toEqual({ code: 'internal_error', message: 'boom' });
  });
});

describe('DELETE /v1/videos/:id', () => {
  const del = (id: string) => t.app.inject({ method: 'DELETE', url: `/v1/videos/${id}` });

  it('cancels a queued video: 202 cancelled, cancel key set with a TTL', async () => {
    const id = (await post({ prompt: 'a fox' })).json<{ id: string }>().id;
    const res = await del(id);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ id, status: 'cancelled', error: { code: 'cancelled' } });

    const key = vidqKeys(t.config.QUEUE_PREFIX).cancel(id);
    expect(await redis.exists(key)).toBe(1);
    expect(await redis.ttl(key)).toBeGreaterThan(CANCEL_TTL_SECONDS - 60);
    const got = await t.app.inject({ method: 'GET', url: `/v1/videos/${id}` });
    expect(got.json<{ status: string }>().status).toBe('cancelled');

    // Asking again is harmless.
    expect((await del(id)).statusCode).toBe(202);
  });

  it('promotes a delayed job so the worker sees the cancel at once', async () => {
    const job = await t.app.queue.add(
      GENERATION_JOB_NAME,
      { input: { model: 'sber-ai/kandinsky5-distill-t2v', prompt: 'a fox' } } as GenerationJobData,
      { jobId: 'vid_delayedjob0001', delay: 60_000 },
    );
    expect(await job.getState()).toBe('delayed');
    const res = await del('vid_delayedjob0001');
    expect(res.statusCode).toBe(202);
    expect(res.json<{ status: string }>().status).toBe('cancelled');
    expect(await job.getState()).toBe('waiting');
  });

  it('shows cancelled once the worker fails the job with code cancelled', async () => {
    const id = (await post({ prompt: 'a fox' })).json<{ id: string }>().id;
    expect((await del(id)).statusCode).toBe(202);
    runWorker(async (job) => {
      if ((await redis.exists(vidqKeys(t.config.QUEUE_PREFIX).cancel(job.id ?? ''))) === 1) {
        throw new UnrecoverableError('cancelled: cancelled by request');
      }
      throw new Error('should have been cancelled');
    });
    const job = await t.app.queue.getJob(id);
    await expect.poll(() => job?.getState()).toBe('failed');
    const got = await t.app.inject({ method: 'GET', url: `/v1/videos/${id}` });
    expect(got.json()).toMatchObject({
      status: 'cancelled',
      error: { code: 'cancelled', message: 'cancelled by request' },
    });
    // Finished as cancelled: DELETE stays idempotent.
    expect((await del(id)).statusCode).toBe(202);
  });

  it('answers 409 for a finished video', async () => {
    const id = (await post({ prompt: 'a fox' })).json<{ id: string }>().id;
    runWorker((job) =>
      Promise.resolve({
        videoUrl: 'https://cdn.example/v.mp4',
        generationId: 'g',
        model: job.data.input.model,
        polls: 1,
        submittedAt: Date.now(),
        completedAt: Date.now(),
      }),
    );
    const job = await t.app.queue.getJob(id);
    await expect.poll(() => job?.getState()).toBe('completed');
    const res = await del(id);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({
      error: { code: 'VIDEO_FINISHED', message: `Video ${id} has already completed and cannot be cancelled` },
    });
    expect(await redis.exists(vidqKeys(t.config.QUEUE_PREFIX).cancel(id))).toBe(0);
  });

  it('answers 404 for an unknown id', async () => {
    const res = await del('vid_nope');
    expect(res.statusCode).toBe(404);
    expect(res.json<{ error: { code: string } }>().error.code).toBe('VIDEO_NOT_FOUND');
  });
});

describe('GET /v1/models', () => {
  it('lists the supported models with their parameter choices', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/models' });
    expect(res.statusCode).toBe(200);
    const models =
      res.json<{ id: string; default: boolean; parameters: Record<string, { values?: unknown[] }> }[]>();
    const kandinsky = models.find((m) => m.id === 'sber-ai/kandinsky5-distill-t2v');
    expect(kandinsky?.default).toBe(true);
    expect(kandinsky?.parameters.aspect_ratio?.values).toEqual(['3:2', '1:1', '2:3']);
    expect(kandinsky?.parameters.duration?.values).toEqual([5, 10]);
  });
});
