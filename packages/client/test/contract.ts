import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiError,
  GenerationFailedError,
  NotFoundError,
  TimeoutError,
  UnavailableError,
  ValidationError,
  type BatchRowInput,
  type VideoInput,
  type VidqueueClient,
} from '../src/index.js';
import { IDEMPOTENCY_TTL_SECONDS } from '@vidqueue/core/contract';
import { claimFingerprint, validateVideoRequest } from '@vidqueue/core/producer';
import { API_TOKEN, startTestStack, type TestStack } from './harness.js';

export type ClientFactory = {
  /** A client of this mode for the running stack. */
  make(stack: TestStack): VidqueueClient;
  /** A client of this mode pointed at nothing (a closed port). */
  unreachable(): VidqueueClient;
};

/**
 * The one suite every mode runs, every case in both: same inputs, same views, same errors. Where an
 * answer can be compared, it is compared with what the HTTP API itself answers for the same request.
 */
export function clientContract(mode: 'redis' | 'http', factory: ClientFactory): void {
  describe(`VidqueueClient (${mode} mode)`, () => {
    let stack: TestStack;
    let vq: VidqueueClient;
    let dir: string;

    beforeAll(async () => {
      stack = await startTestStack();
      vq = factory.make(stack);
      dir = await mkdtemp(join(tmpdir(), `vidq-contract-${mode}-`));
    });
    afterAll(async () => {
      await vq?.close();
      await stack?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    /** The API's own answer to a request, for comparison. */
    async function api(path: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
      const res = await fetch(`${stack.api.url}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${API_TOKEN}`, ...(init.headers as Record<string, string>) },
      });
      const text = await res.text();
      return {
        status: res.status,
        body: res.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : text,
      };
    }

    /** What the SDK error carries, in the API's error body shape. */
    function asBody(err: unknown): { error: { code: string; message: string; details?: unknown } } {
      expect(err).toBeInstanceOf(ApiError);
      const e = err as ApiError;
      return {
        error: {
          code: e.code,
          message: e.message,
          ...(e.details === undefined ? {} : { details: e.details }),
        },
      };
    }

    async function jobCount(): Promise<number> {
      const counts = await stack.api.app.queue.getJobCounts();
      return Object.values(counts).reduce((a, b) => a + b, 0);
    }

    it('enqueues a prompt and waits for the video', async () => {
      expect(vq.mode).toBe(mode);
      const queued = await vq.enqueue({
        prompt: 'a lighthouse at dusk',
        duration: 5,
        custom_id: 'lh-1',
        metadata: { campaign: 'coast' },
      });
      expect(queued).toMatchObject({ status: 'queued', model: 'sber-ai/kandinsky5-distill-t2v' });
      expect(queued.id).toMatch(/^vid_/);

      const done = await vq.waitFor(queued.id, { timeoutMs: 20_000 });
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
      expect(await vq.get(queued.id)).toEqual(done);
      // The API shows the very same view.
      const res = await fetch(`${stack.api.url}/v1/videos/${queued.id}`, {
        headers: { authorization: 'Bearer client-test-token-3b7e' },
      });
      expect(await res.json()).toEqual(done);
    });

    it('refuses bad input with every issue and the allowed values, enqueueing nothing', async () => {
      const before = await jobCount();
      const err = await vq
        .enqueue({ prompt: 'x', aspect_ratio: '16:9', duration: 7 })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      const issues = (err as ValidationError).issues;
      expect(issues.map((i) => i.path).sort()).toEqual(['aspect_ratio', 'duration']);
      expect(issues.find((i) => i.path === 'aspect_ratio')?.message).toContain('3:2, 1:1, 2:3');
      expect((err as Error).message).toContain('duration must be one of 5, 10');
      await expect(vq.enqueue({ prompt: '   ' })).rejects.toBeInstanceOf(ValidationError);
      await expect(vq.enqueue({ prompt: 'a', model: 'nope/model' })).rejects.toThrow(/supported:/);
      expect(await jobCount()).toBe(before);
    });

    it('refuses each bad input with exactly the issues the API lists', async () => {
      const before = await jobCount();
      const inputs: unknown[] = [
        { prompt: 'x', aspect_ratio: '16:9', duration: 7 },
        { prompt: '   ' },
        { prompt: 'x'.repeat(4001) },
        { prompt: 'a fox', custom_id: 'c'.repeat(201) },
        { prompt: 'a fox', custom_id: '' },
        { prompt: 'a fox', metadata: { nested: { no: true } } },
        { prompt: 'a fox', colour: 'red' },
        { model: 'nope/model' },
      ];
      for (const input of inputs) {
        const err = await vq.enqueue(input as VideoInput).catch((e: unknown) => e);
        expect(err, JSON.stringify(input)).toBeInstanceOf(ValidationError);
        const answer = await api('/v1/videos', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(input),
        });
        expect(answer.status).toBe(400);
        const details = (answer.body as { error: { details: unknown } }).error.details;
        expect((err as ValidationError).issues, JSON.stringify(input)).toEqual(details);
        expect((err as ValidationError).code).toBe('VALIDATION_ERROR');
      }
      expect(await jobCount()).toBe(before);
    });

    it('refuses an idempotency key the API would refuse, for a video and for a batch, enqueueing nothing', async () => {
      const before = await jobCount();
      // One issue, on the key (over HTTP the API names the header: `headers.idempotency-key`).
      const expectKeyRefused = (err: unknown) => {
        expect(err).toBeInstanceOf(ValidationError);
        const issues = (err as ValidationError).issues;
        expect(issues).toHaveLength(1);
        expect(issues[0]?.path).toMatch(/idempotency-key$/);
      };
      for (const idempotencyKey of ['has a space', 'k'.repeat(256)]) {
        const err = await vq.enqueue({ prompt: 'a fox' }, { idempotencyKey }).catch((e: unknown) => e);
        expectKeyRefused(err);
        expectKeyRefused(
          await vq.enqueueMany([{ prompt: 'a fox' }], { idempotencyKey }).catch((e: unknown) => e),
        );
        // The same words as the API's.
        const answer = await api('/v1/videos', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
          body: JSON.stringify({ prompt: 'a fox' }),
        });
        const details = (answer.body as { error: { details: { message: string }[] } }).error.details;
        expect((err as ValidationError).issues.map((i) => i.message)).toEqual(details.map((d) => d.message));
      }
      expect(await jobCount()).toBe(before);
    });

    it('gives the same video for a repeated idempotency key, and 409 for a different body', async () => {
      const key = `idem-${mode}-${Date.now()}`;
      const first = await vq.enqueue({ prompt: 'a red fox in snow' }, { idempotencyKey: key });
      const again = await vq.enqueue({ prompt: 'a red fox in snow' }, { idempotencyKey: key });
      expect(again.id).toBe(first.id);
      const err = await vq
        .enqueue({ prompt: 'a blue fox' }, { idempotencyKey: key })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect(err).toMatchObject({ status: 409, code: 'IDEMPOTENCY_KEY_MISMATCH' });
      // The other mode honours the same key: the API answers the same video.
      const res = await fetch(`${stack.api.url}/v1/videos`, {
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
      await vq.waitFor(first.id, { timeoutMs: 20_000 });
    });

    it('completes a key whose first request claimed it but never got its job in: that video, once', async () => {
      const key = `dangling-${mode}-${Date.now()}`;
      const input = { prompt: 'a fox whose first request gave up' };
      const { DEFAULT_MODEL, MAX_PROMPT_LENGTH } = stack.config;
      const data = validateVideoRequest(input, {
        defaultModel: DEFAULT_MODEL,
        maxPromptLength: MAX_PROMPT_LENGTH,
      });
      const id = `vid_dangling${mode}${Date.now()}`;
      // What a request leaves when Redis took its claim but not its job (it answered 503): claimed 2 s ago.
      await stack.api.app.redis.set(
        stack.api.app.keys.idempotency(key),
        `${id} ${claimFingerprint(data)}`,
        'PX',
        IDEMPOTENCY_TTL_SECONDS * 1000 - 2_000,
      );
      expect((await vq.enqueue(input, { idempotencyKey: key })).id).toBe(id);
      expect((await vq.enqueue(input, { idempotencyKey: key })).id).toBe(id);
      const done = await vq.waitFor(id, { timeoutMs: 20_000 });
      expect(done).toMatchObject({ id, status: 'completed', prompt: input.prompt });
    });

    it('cancels a video in flight; waitFor rejects with GenerationFailedError(cancelled)', async () => {
      stack.simulator.configure({ generationMs: 60_000 });
      try {
        const queued = await vq.enqueue({ prompt: 'a video nobody will see' });
        const waiting = vq.waitFor(queued.id, { timeoutMs: 20_000 }).catch((e: unknown) => e);
        await expect.poll(async () => (await vq.get(queued.id)).status).toBe('generating');
        const cancelled = await vq.cancel(queued.id);
        expect(cancelled).toMatchObject({ id: queued.id, status: 'cancelled', error: { code: 'cancelled' } });
        const err = await waiting;
        expect(err).toBeInstanceOf(GenerationFailedError);
        expect(err).toMatchObject({ id: queued.id, failureCode: 'cancelled' });
        // Cancelling twice is fine; the video stays cancelled.
        expect((await vq.cancel(queued.id)).status).toBe('cancelled');
      } finally {
        stack.simulator.configure({ generationMs: 300 });
      }
    });

    it('wakes a waiter at once when a video no worker has taken yet is cancelled', async () => {
      await stack.worker.worker.pause(true);
      try {
        const queued = await vq.enqueue({ prompt: 'a video still in the waiting list' });
        const waiting = vq.waitFor(queued.id, { timeoutMs: 10_000 }).catch((e: unknown) => e);
        expect((await vq.cancel(queued.id)).status).toBe('cancelled');
        expect(await waiting).toMatchObject({ id: queued.id, failureCode: 'cancelled' });
      } finally {
        await stack.worker.worker.resume();
      }
    });

    it('rejects with GenerationFailedError carrying the provider message when the generation fails', async () => {
      stack.simulator.configure({ createFaults: { fail: 1 } });
      try {
        const queued = await vq.enqueue({ prompt: 'a storm that the provider refuses' });
        const err = await vq.waitFor(queued.id, { timeoutMs: 20_000 }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(GenerationFailedError);
        const failed = err as GenerationFailedError;
        expect(failed.failureCode).not.toBe('cancelled');
        expect(failed.providerMessage.length).toBeGreaterThan(0);
        expect((await vq.get(queued.id)).status).toBe('failed');
      } finally {
        stack.simulator.configure({ createFaults: { fail: 0 } });
      }
    });

    it('times out and aborts without cancelling the video', async () => {
      stack.simulator.configure({ generationMs: 60_000 });
      try {
        const queued = await vq.enqueue({ prompt: 'a slow sunrise' });
        const err = await vq.waitFor(queued.id, { timeoutMs: 150 }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(TimeoutError);
        expect(err).toMatchObject({ id: queued.id, timeoutMs: 150 });
        const controller = new AbortController();
        const waiting = vq.waitFor(queued.id, { signal: controller.signal }).catch((e: unknown) => e);
        controller.abort(new Error('stop waiting'));
        expect(await waiting).toMatchObject({ message: 'stop waiting' });
        expect(['queued', 'generating']).toContain((await vq.get(queued.id)).status);
        await vq.cancel(queued.id);
      } finally {
        stack.simulator.configure({ generationMs: 300 });
      }
    });

    async function waitForBatch(id: string): Promise<void> {
      await expect
        .poll(
          async () => {
            const { counts, total } = await vq.getBatch(id);
            return counts.completed + counts.failed + counts.cancelled === total;
          },
          { timeout: 20_000, interval: 100 },
        )
        .toBe(true);
    }

    it('enqueues a batch and streams every row back in input order, with metadata', async () => {
      const rows: BatchRowInput[] = [
        {
          prompt: 'a kite on a windy hill',
          custom_id: 'kite',
          duration: 5,
          metadata: { campaign: 'spring' },
        },
        {
          prompt: 'koi in a pond, seen from above',
          aspect_ratio: '1:1',
          metadata: { campaign: 'nature', n: 2 },
        },
        { prompt: 'rain on a window', custom_id: 'rain', metadata: { mood: 'cozy' } },
      ];
      async function* source() {
        for (const row of rows) yield await Promise.resolve(row);
      }
      const key = `batch-${mode}-${Date.now()}`;
      const batch = await vq.enqueueMany(source(), { idempotencyKey: key });
      expect(batch).toMatchObject({ total: 3, skipped: 0 });
      expect(batch.id).toMatch(/^bat_/);
      // The same rows with the same key: the same batch, also through the other way in.
      expect((await vq.enqueueMany(rows, { idempotencyKey: key })).id).toBe(batch.id);
      const res = await fetch(`${stack.api.url}/v1/batches`, {
        method: 'POST',
        headers: {
          authorization: 'Bearer client-test-token-3b7e',
          'content-type': 'application/x-ndjson',
          'idempotency-key': key,
        },
        body: rows.map((r) => `${JSON.stringify(r)}\n`).join(''),
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { id: string }).id).toBe(batch.id);

      await waitForBatch(batch.id);
      const view = await vq.getBatch(batch.id);
      expect(view).toMatchObject({ id: batch.id, status: 'completed', total: 3 });
      expect(view.counts).toEqual({ queued: 0, generating: 0, completed: 3, failed: 0, cancelled: 0 });
      expect(view.finished_at).not.toBeNull();

      const results = [];
      for await (const row of vq.results(batch.id)) results.push(row);
      expect(results.map((r) => [r.row, r.custom_id, r.status, r.prompt])).toEqual([
        [1, 'kite', 'completed', 'a kite on a windy hill'],
        [2, null, 'completed', 'koi in a pond, seen from above'],
        [3, 'rain', 'completed', 'rain on a window'],
      ]);
      expect(results[0]?.metadata).toEqual({ campaign: 'spring' });
      expect(results[2]?.metadata).toEqual({ mood: 'cozy' });
      expect(results.every((r) => r.video_url?.startsWith('http') && r.generation_id)).toBe(true);
    });

    it('refuses a batch with a bad row, listing each error, and enqueues nothing', async () => {
      const before = await jobCount();
      const err = await vq
        .enqueueMany([{ prompt: 'fine' }, { prompt: 'bad', duration: 7 }, { prompt: '' }])
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect(err).toMatchObject({ status: 422, code: 'INVALID_ROWS', details: { error_count: 2 } });
      const errors = (err as ApiError).details as { errors: { row: number; message: string }[] };
      expect(errors.errors.map((e) => e.row)).toEqual([2, 3]);
      expect(errors.errors[0]?.message).toContain('5, 10');
      expect(await jobCount()).toBe(before);
    });

    it('refuses bad and empty batches with the very status, code, message and details the API answers', async () => {
      const before = await jobCount();
      const cases: BatchRowInput[][] = [
        [{ prompt: 'fine' }, { prompt: 'bad', duration: 7 }, { prompt: '' }],
        [{ prompt: 'bad', duration: 7 }],
        [{ prompt: 'fine', custom_id: 'c'.repeat(201) }],
        [],
      ];
      for (const rows of cases) {
        const err = await vq.enqueueMany(rows).catch((e: unknown) => e);
        const answer = await api('/v1/batches', {
          method: 'POST',
          headers: { 'content-type': 'application/x-ndjson' },
          body: rows.map((r) => `${JSON.stringify(r)}\n`).join(''),
        });
        expect(answer.status).toBe(422);
        expect((err as ApiError).status).toBe(422);
        expect(asBody(err), JSON.stringify(rows)).toEqual(answer.body);
      }
      expect(await jobCount()).toBe(before);
    });

    it('uploads a CSV file (path or stream), skipping invalid rows, and exports the results as the API does', async () => {
      const file = join(dir, 'prompts.csv');
      await writeFile(
        file,
        [
          'custom_id,prompt,duration,campaign',
          'fox,"a red fox, in snow",5,winter',
          'bad,a fox,7,x',
          ',koi,,spring',
        ].join('\n'),
      );
      const key = `upload-${mode}-${Date.now()}`;
      const created = await vq.uploadBatch(file, { onInvalid: 'skip', idempotencyKey: key });
      expect(created).toMatchObject({ status: 'queued', total: 2, skipped: 1 });
      expect(created.skipped_rows).toEqual([
        { line: 3, row: 2, column: 'duration', message: expect.stringContaining('5, 10') as unknown },
      ]);
      // The same file again under the key, as a stream: the same batch.
      const again = await vq.uploadBatch(createReadStream(file), { onInvalid: 'skip', idempotencyKey: key });
      expect(again.id).toBe(created.id);
      expect(again.skipped_rows).toBeUndefined();
      // Other options under that key (another model for rows without one) are another request.
      const otherModel = await vq
        .uploadBatch(file, { onInvalid: 'skip', model: 'sber-ai/kandinsky5-t2v', idempotencyKey: key })
        .catch((e: unknown) => e);
      expect(otherModel).toBeInstanceOf(ApiError);
      expect(otherModel).toMatchObject({ status: 409, code: 'IDEMPOTENCY_KEY_MISMATCH' });
      await waitForBatch(created.id);

      for (const format of ['csv', 'jsonl'] as const) {
        const chunks: Uint8Array[] = [];
        for await (const chunk of vq.exportResults(created.id, format)) chunks.push(chunk);
        const text = Buffer.concat(chunks).toString('utf8');
        expect(text).toBe((await api(`/v1/batches/${created.id}/results?format=${format}`)).body);
      }
      const chunks: Uint8Array[] = [];
      for await (const chunk of vq.exportResults(created.id, 'csv')) chunks.push(chunk);
      const lines = Buffer.concat(chunks).toString('utf8').trim().split('\n');
      expect(lines[0]).toBe(
        'row,custom_id,status,video_url,error_code,error_message,generation_id,cost_usd,prompt,model,campaign',
      );
      expect(lines.slice(1).map((l) => l.split(',').slice(0, 3).join(','))).toEqual([
        '1,fox,completed',
        '3,,completed',
      ]);

      const missing = await (async () => {
        for await (const _ of vq.exportResults('bat_doesnotexist', 'csv')) return undefined;
      })().catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(NotFoundError);
      expect(missing).toMatchObject({ id: 'bat_doesnotexist', code: 'BATCH_NOT_FOUND' });
    });

    it("refuses to cancel a finished video or batch with the API's 409", async () => {
      const queued = await vq.enqueue({ prompt: 'a quick one' });
      await vq.waitFor(queued.id, { timeoutMs: 20_000 });
      const videoErr = await vq.cancel(queued.id).catch((e: unknown) => e);
      const videoAnswer = await api(`/v1/videos/${queued.id}`, { method: 'DELETE' });
      expect(videoAnswer.status).toBe(409);
      expect((videoErr as ApiError).status).toBe(409);
      expect(asBody(videoErr)).toEqual(videoAnswer.body);
      expect((videoErr as ApiError).message).toBe(
        `Video ${queued.id} has already completed and cannot be cancelled`,
      );

      const batch = await vq.enqueueMany([{ prompt: 'a quick row' }]);
      await waitForBatch(batch.id);
      const batchErr = await vq.cancelBatch(batch.id).catch((e: unknown) => e);
      const batchAnswer = await api(`/v1/batches/${batch.id}`, { method: 'DELETE' });
      expect(batchAnswer.status).toBe(409);
      expect((batchErr as ApiError).status).toBe(409);
      expect(asBody(batchErr)).toEqual(batchAnswer.body);
      expect((batchErr as ApiError).code).toBe('BATCH_FINISHED');
    });

    it('retries the failed rows of a batch, and cancels a running one', async () => {
      stack.simulator.configure({ createFaults: { fail: 1 } });
      let failing: string;
      try {
        failing = (await vq.enqueueMany([{ prompt: 'one' }, { prompt: 'two' }])).id;
        await waitForBatch(failing);
      } finally {
        stack.simulator.configure({ createFaults: { fail: 0 } });
      }
      expect((await vq.getBatch(failing)).counts.failed).toBe(2);
      expect(await vq.retryFailed(failing)).toEqual({ retried: 2 });
      await waitForBatch(failing);
      expect((await vq.getBatch(failing)).counts.completed).toBe(2);

      stack.simulator.configure({ generationMs: 60_000 });
      try {
        const slow = await vq.enqueueMany([{ prompt: 'slow one' }, { prompt: 'slow two' }]);
        const cancelled = await vq.cancelBatch(slow.id);
        expect(cancelled.status).toBe('cancelled');
        // A row a worker took just before the cancel may show `generating` until its next step.
        await expect
          .poll(async () => (await vq.getBatch(slow.id)).counts.cancelled, { timeout: 20_000, interval: 100 })
          .toBe(2);
      } finally {
        stack.simulator.configure({ generationMs: 300 });
      }
      await expect(vq.getBatch('bat_doesnotexist')).rejects.toBeInstanceOf(NotFoundError);
    });

    it('resumes submissions after an account pause, and is harmless when nothing is paused', async () => {
      const redis = stack.api.app.redis;
      const pauseKey = stack.api.app.keys.accountPause;
      expect(await vq.resumeSubmissions()).toEqual({ resumed: false, previous_pause: null, promoted: 0 });

      // What a worker writes after a provider 403 (apps/worker/src/account-pause.ts).
      await redis.hset(pauseKey, { reason: 'out of credits', status: '403', since: String(Date.now()) });
      await redis.pexpire(pauseKey, 60_000);
      const result = await vq.resumeSubmissions();
      expect(result).toMatchObject({
        resumed: true,
        previous_pause: { reason: 'out of credits', status: 403 },
      });
      expect(await redis.exists(pauseKey)).toBe(0);
    });

    it('throws NotFoundError for an unknown id', async () => {
      await expect(vq.get('vid_doesnotexist')).rejects.toBeInstanceOf(NotFoundError);
      await expect(vq.waitFor('vid_doesnotexist', { timeoutMs: 5_000 })).rejects.toBeInstanceOf(
        NotFoundError,
      );
      await expect(vq.cancel('vid_doesnotexist')).rejects.toBeInstanceOf(NotFoundError);
    });

    it('throws UnavailableError when it cannot reach its backend', async () => {
      const down = factory.unreachable();
      try {
        await expect(down.enqueue({ prompt: 'anyone there?' })).rejects.toBeInstanceOf(UnavailableError);
        await expect(down.get('vid_x')).rejects.toBeInstanceOf(UnavailableError);
      } finally {
        await down.close();
      }
    });
  });
}
