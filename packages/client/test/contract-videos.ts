import { expect, it } from 'vitest';
import { IDEMPOTENCY_TTL_SECONDS } from '@vidqueue/core/contract';
import { claimFingerprint, validateVideoRequest } from '@vidqueue/core/producer';
import {
  ApiError,
  GenerationFailedError,
  TimeoutError,
  ValidationError,
  type VideoInput,
} from '../src/index.js';
import type { ContractContext } from './contract-context.js';

/** The contract's single-video cases: enqueue, wait, validation, idempotency keys, cancel, failures. */
export function videoCases(c: ContractContext): void {
  it('enqueues a prompt and waits for the video', async () => {
    expect(c.vq.mode).toBe(c.mode);
    const queued = await c.vq.enqueue({
      prompt: 'a lighthouse at dusk',
      duration: 5,
      custom_id: 'lh-1',
      metadata: { campaign: 'coast' },
    });
    expect(queued).toMatchObject({ status: 'queued', model: 'sber-ai/kandinsky5-distill-t2v' });
    expect(queued.id).toMatch(/^vid_/);

    const done = await c.vq.waitFor(queued.id, { timeoutMs: 20_000 });
    expect(done).toMatchObject({
      id: queued.id,
      status: 'completed',
      custom_id: 'lh-1',
      metadata: { campaign: 'coast' },
      prompt: 'a lighthouse at dusk',
      error: null,
    });
    expect(done.video_url).toMatch(/^http/);
    expect(done.generation_id).toBeTruthy();
    expect(await c.vq.get(queued.id)).toEqual(done);
    // The API shows the very same view.
    const res = await fetch(`${c.stack.api.url}/v1/videos/${queued.id}`, {
      headers: { authorization: 'Bearer client-test-token-3b7e' },
    });
    expect(await res.json()).toEqual(done);
  });

  it('refuses bad input with every issue and the allowed values, enqueueing nothing', async () => {
    const before = await c.jobCount();
    const err = await c.vq
      .enqueue({ prompt: 'x', aspect_ratio: '16:9', duration: 7 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    const issues = (err as ValidationError).issues;
    expect(issues.map((i) => i.path).sort()).toEqual(['aspect_ratio', 'duration']);
    expect(issues.find((i) => i.path === 'aspect_ratio')?.message).toContain('3:2, 1:1, 2:3');
    expect((err as Error).message).toContain('duration must be one of 5, 10');
    await expect(c.vq.enqueue({ prompt: '   ' })).rejects.toBeInstanceOf(ValidationError);
    await expect(c.vq.enqueue({ prompt: 'a', model: 'nope/model' })).rejects.toThrow(
      /unknown model "nope\/model"/,
    );
    expect(await c.jobCount()).toBe(before);
  });

  it("takes another model's fields: the job keeps exactly them and the provider receives exactly them", async () => {
    const prompt = `a kite over dunes (${c.mode})`;
    const fields = { resolution: '720p', generate_audio: false, seed: 99, negative_prompt: 'people' };
    const queued = await c.vq.enqueue({ prompt, model: 'google/veo-3.1-t2v', ...fields, custom_id: 'kite' });
    expect(queued.model).toBe('google/veo-3.1-t2v');
    const job = await c.stack.api.app.queue.getJob(queued.id);
    expect(job?.data.input).toEqual({ model: 'google/veo-3.1-t2v', prompt, ...fields });
    expect((await c.vq.waitFor(queued.id, { timeoutMs: 20_000 })).status).toBe('completed');
    expect(c.stack.simulator.stats().by_prompt[prompt]?.last_request).toEqual({
      model: 'google/veo-3.1-t2v',
      ...fields,
    });
  });

  it('keeps a typed webhook target with its job, and refuses events without a URL', async () => {
    const input: VideoInput = {
      prompt: `a heron in reeds (${c.mode})`,
      webhook_url: 'https://hooks.example.test/vidq',
      webhook_events: ['video.failed'],
    };
    const queued = await c.vq.enqueue(input);
    const job = await c.stack.api.app.queue.getJob(queued.id);
    expect(job?.data.webhook).toEqual({ url: 'https://hooks.example.test/vidq', events: ['video.failed'] });
    const err = await c.vq
      .enqueue({ prompt: 'a heron', webhook_events: ['video.completed'] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues).toEqual([
      { path: 'webhook_events', message: 'needs webhook_url' },
    ]);
    // A URL with a password would be stored with the job: refused, without echoing it.
    for (const webhook_url of [
      'https://user:s3cret-pw@hooks.example.test/vidq',
      'https://user@hooks.example.test/',
    ]) {
      const refused = await c.vq.enqueue({ prompt: 'a heron', webhook_url }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ValidationError);
      const issues = (refused as ValidationError).issues;
      expect(issues.map((i) => i.path)).toEqual(['webhook_url']);
      expect(issues[0]?.message).toMatch(/^must not carry a user name or password/);
      expect(JSON.stringify(issues)).not.toContain('s3cret-pw');
    }
  });

  it('refuses a webhook_url the workers could never deliver to (a private address), enqueueing nothing', async () => {
    const before = await c.jobCount();
    const refusals: Record<string, RegExp> = {
      'http://169.254.169.254/latest/meta-data/': /points at 169\.254\.169\.254, .*\(linkLocal\)/,
      'http://127.0.0.1:6379/': /points at 127\.0\.0\.1, .*\(loopback\)/,
      'http://0x7f000001/hook': /points at 127\.0\.0\.1, .*\(loopback\)/, // the URL parser reads hex as IPv4
      'http://[::ffff:10.0.0.1]/': /\(private\)/,
      'https://LOCALHOST./hook': /points at localhost\., this machine/,
      'http://api.localhost/': /this machine/,
    };
    for (const [webhook_url, message] of Object.entries(refusals)) {
      const refused = await c.vq.enqueue({ prompt: 'a heron', webhook_url }).catch((e: unknown) => e);
      expect(refused, webhook_url).toBeInstanceOf(ValidationError);
      const issues = (refused as ValidationError).issues;
      expect(issues.map((i) => i.path)).toEqual(['webhook_url']);
      expect(issues[0]?.message).toMatch(message);
      expect(issues[0]?.message).toMatch(/WEBHOOK_ALLOW_PRIVATE=true/);
    }
    expect(await c.jobCount()).toBe(before);
    // A public address is taken; a name is checked by the workers when they connect, not here.
    for (const webhook_url of ['http://93.184.215.14/hook', 'https://hooks.internal.example.test/']) {
      await expect(c.vq.enqueue({ prompt: `a heron (${webhook_url})`, webhook_url })).resolves.toBeTruthy();
    }
  });

  it('refuses each bad input with exactly the issues the API lists', async () => {
    const before = await c.jobCount();
    const inputs: unknown[] = [
      { prompt: 'x', aspect_ratio: '16:9', duration: 7 },
      { prompt: '   ' },
      { prompt: 'x'.repeat(4001) },
      { prompt: 'a fox', custom_id: 'c'.repeat(257) },
      { prompt: 'a fox', custom_id: '' },
      { prompt: 'a fox', metadata: { nested: { no: true } } },
      // Metadata limits (METADATA_LIMITS): too many keys, a value too long.
      {
        prompt: 'a fox',
        metadata: Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i])),
      },
      { prompt: 'a fox', metadata: { note: 'n'.repeat(1001) } },
      { prompt: 'a fox', colour: 'red' },
      { model: 'nope/model' },
      { prompt: 'a fox', model: 'kling-video/v1.6/pro/text-to-video', cfg_scale: 2, seed: 1 },
      { prompt: 'a fox', model: 'minimax/hailuo-02', image_url: 'https://x/a.png', resolution: '768p' },
    ];
    for (const input of inputs) {
      const err = await c.vq.enqueue(input as VideoInput).catch((e: unknown) => e);
      expect(err, JSON.stringify(input)).toBeInstanceOf(ValidationError);
      const answer = await c.api('/v1/videos', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
      expect(answer.status).toBe(400);
      const details = (answer.body as { error: { details: unknown } }).error.details;
      expect((err as ValidationError).issues, JSON.stringify(input)).toEqual(details);
      expect((err as ValidationError).code).toBe('VALIDATION_ERROR');
    }
    expect(await c.jobCount()).toBe(before);
  });

  it('refuses an idempotency key the API would refuse, for a video and for a batch, enqueueing nothing', async () => {
    const before = await c.jobCount();
    // One issue, on the key (over HTTP the API names the header: `headers.idempotency-key`).
    const expectKeyRefused = (err: unknown) => {
      expect(err).toBeInstanceOf(ValidationError);
      const issues = (err as ValidationError).issues;
      expect(issues).toHaveLength(1);
      expect(issues[0]?.path).toMatch(/idempotency-key$/);
    };
    for (const idempotencyKey of ['has a space', 'k'.repeat(256)]) {
      const err = await c.vq.enqueue({ prompt: 'a fox' }, { idempotencyKey }).catch((e: unknown) => e);
      expectKeyRefused(err);
      expectKeyRefused(
        await c.vq.enqueueMany([{ prompt: 'a fox' }], { idempotencyKey }).catch((e: unknown) => e),
      );
      // The same words as the API's.
      const answer = await c.api('/v1/videos', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
        body: JSON.stringify({ prompt: 'a fox' }),
      });
      const details = (answer.body as { error: { details: { message: string }[] } }).error.details;
      expect((err as ValidationError).issues.map((i) => i.message)).toEqual(details.map((d) => d.message));
    }
    expect(await c.jobCount()).toBe(before);
  });

  it('gives the same video for a repeated idempotency key, and 409 for a different body', async () => {
    const key = `idem-${c.mode}-${Date.now()}`;
    const first = await c.vq.enqueue({ prompt: 'a red fox in snow' }, { idempotencyKey: key });
    const again = await c.vq.enqueue({ prompt: 'a red fox in snow' }, { idempotencyKey: key });
    expect(again.id).toBe(first.id);
    const err = await c.vq
      .enqueue({ prompt: 'a blue fox' }, { idempotencyKey: key })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 409, code: 'IDEMPOTENCY_KEY_MISMATCH' });
    // The other mode honours the same key: the API answers the same video.
    const res = await fetch(`${c.stack.api.url}/v1/videos`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer client-test-token-3b7e',
        'content-type': 'application/json',
        'idempotency-key': key,
      },
      body: JSON.stringify({ prompt: 'a red fox in snow' }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { id: string }).id).toBe(first.id);
    await c.vq.waitFor(first.id, { timeoutMs: 20_000 });
  });

  it('completes a key whose first request claimed it but never got its job in: that video, once', async () => {
    const key = `dangling-${c.mode}-${Date.now()}`;
    const input = { prompt: 'a fox whose first request gave up' };
    const { DEFAULT_MODEL, MAX_PROMPT_LENGTH } = c.stack.config;
    const data = validateVideoRequest(input, {
      defaultModel: DEFAULT_MODEL,
      maxPromptLength: MAX_PROMPT_LENGTH,
    });
    const id = `vid_dangling${c.mode}${Date.now()}`;
    // What a request leaves when Redis took its claim but not its job (it answered 503): claimed 2 s ago.
    await c.stack.api.app.redis.set(
      c.stack.api.app.keys.idempotency(key),
      `${id} ${claimFingerprint(data)}`,
      'PX',
      IDEMPOTENCY_TTL_SECONDS * 1000 - 2_000,
    );
    expect((await c.vq.enqueue(input, { idempotencyKey: key })).id).toBe(id);
    expect((await c.vq.enqueue(input, { idempotencyKey: key })).id).toBe(id);
    const done = await c.vq.waitFor(id, { timeoutMs: 20_000 });
    expect(done).toMatchObject({ id, status: 'completed', prompt: input.prompt });
  });

  it('cancels a video in flight; waitFor rejects with GenerationFailedError(cancelled)', async () => {
    c.stack.simulator.configure({ generationMs: 60_000 });
    try {
      const queued = await c.vq.enqueue({ prompt: 'a video nobody will see' });
      const waiting = c.vq.waitFor(queued.id, { timeoutMs: 20_000 }).catch((e: unknown) => e);
      await expect.poll(async () => (await c.vq.get(queued.id)).status).toBe('generating');
      const cancelled = await c.vq.cancel(queued.id);
      expect(cancelled).toMatchObject({ id: queued.id, status: 'cancelled', error: { code: 'cancelled' } });
      const err = await waiting;
      expect(err).toBeInstanceOf(GenerationFailedError);
      expect(err).toMatchObject({ id: queued.id, failureCode: 'cancelled' });
      // Cancelling twice is fine; the video stays cancelled.
      expect((await c.vq.cancel(queued.id)).status).toBe('cancelled');
    } finally {
      c.stack.simulator.configure({ generationMs: 300 });
    }
  });

  it('wakes a waiter at once when a video no worker has taken yet is cancelled', async () => {
    await Promise.all(c.stack.worker.workers.map((w) => w.pause(true)));
    try {
      const queued = await c.vq.enqueue({ prompt: 'a video still in the waiting list' });
      const waiting = c.vq.waitFor(queued.id, { timeoutMs: 10_000 }).catch((e: unknown) => e);
      expect((await c.vq.cancel(queued.id)).status).toBe('cancelled');
      expect(await waiting).toMatchObject({ id: queued.id, failureCode: 'cancelled' });
    } finally {
      await Promise.all(c.stack.worker.workers.map((w) => w.resume()));
    }
  });

  it('rejects with GenerationFailedError carrying the provider message when the generation fails', async () => {
    c.stack.simulator.configure({ createFaults: { fail: 1 } });
    try {
      const queued = await c.vq.enqueue({ prompt: 'a storm that the provider refuses' });
      const err = await c.vq.waitFor(queued.id, { timeoutMs: 20_000 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GenerationFailedError);
      const failed = err as GenerationFailedError;
      expect(failed.failureCode).not.toBe('cancelled');
      expect(failed.providerMessage.length).toBeGreaterThan(0);
      expect((await c.vq.get(queued.id)).status).toBe('failed');
    } finally {
      c.stack.simulator.configure({ createFaults: { fail: 0 } });
    }
  });

  it('times out and aborts without cancelling the video', async () => {
    c.stack.simulator.configure({ generationMs: 60_000 });
    try {
      const queued = await c.vq.enqueue({ prompt: 'a slow sunrise' });
      const err = await c.vq.waitFor(queued.id, { timeoutMs: 150 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TimeoutError);
      expect(err).toMatchObject({ id: queued.id, timeoutMs: 150 });
      const controller = new AbortController();
      const waiting = c.vq.waitFor(queued.id, { signal: controller.signal }).catch((e: unknown) => e);
      controller.abort(new Error('stop waiting'));
      expect(await waiting).toMatchObject({ message: 'stop waiting' });
      expect(['queued', 'generating']).toContain((await c.vq.get(queued.id)).status);
      await c.vq.cancel(queued.id);
    } finally {
      c.stack.simulator.configure({ generationMs: 300 });
    }
  });
}
