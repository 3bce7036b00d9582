import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, NotFoundError, UnavailableError, type VidqueueClient } from '../src/index.js';
import { batchCases } from './contract-batches.js';
import { moneyCases } from './contract-money.js';
import { videoCases } from './contract-videos.js';
import type { ContractContext } from './contract-context.js';
import { API_TOKEN, startTestStack, type TestStack, type TestStackCluster } from './harness.js';

export type ClientFactory = {
  /** A client of this mode for the running stack. */
  make(stack: TestStack): VidqueueClient;
  /** A client of this mode pointed at nothing (a closed port). */
  unreachable(): VidqueueClient;
  /** Run the stack on a Redis Cluster: started before the stack, stopped after it. */
  cluster?: { start(): Promise<TestStackCluster>; stop(): Promise<void> };
  /** QUEUE_SHARDS of the stack (default 1); the client must be made with the same. */
  queueShards?: number;
};

/**
 * The one suite every mode runs, every case in both (`http-mode.test.ts`, `redis-mode.test.ts`): same
 * inputs, same views, same errors. Where an answer can be compared, it is compared with what the HTTP
 * API itself answers for the same request. The cases live in `contract-videos.ts` and
 * `contract-batches.ts`; the ones about the whole client here.
 */
export function clientContract(mode: 'redis' | 'http', factory: ClientFactory): void {
  const shards = factory.queueShards ?? 1;
  const where = `${factory.cluster ? ', Redis Cluster' : ''}${shards > 1 ? `, ${shards} queue shards` : ''}`;
  describe(`VidqueueClient (${mode} mode${where})`, () => {
    let stack: TestStack;
    let vq: VidqueueClient;
    let dir: string;

    beforeAll(async () => {
      stack = await startTestStack(await factory.cluster?.start(), {
        // Webhooks on, so a video may name its own webhook_url (the one case that does asks for video.failed only).
        WEBHOOK_SECRET: 'whsec_Y29udHJhY3QtdGVzdC1zaWduaW5nLWtleQ==',
        ...(shards > 1 ? { QUEUE_SHARDS: String(shards) } : {}),
      });
      vq = factory.make(stack);
      dir = await mkdtemp(join(tmpdir(), `vidq-contract-${mode}-`));
    });
    afterAll(async () => {
      await vq?.close();
      await stack?.close();
      await factory.cluster?.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    const context: ContractContext = {
      mode,
      get stack() {
        return stack;
      },
      get vq() {
        return vq;
      },
      get dir() {
        return dir;
      },
      async api(path, init = {}) {
        const res = await fetch(`${stack.api.url}${path}`, {
          ...init,
          headers: { authorization: `Bearer ${API_TOKEN}`, ...(init.headers as Record<string, string>) },
        });
        const text = await res.text();
        return {
          status: res.status,
          body: res.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : text,
        };
      },
      asBody(err) {
        expect(err).toBeInstanceOf(ApiError);
        const e = err as ApiError;
        return {
          error: {
            code: e.code,
            message: e.message,
            ...(e.details === undefined ? {} : { details: e.details }),
          },
        };
      },
      async jobCount() {
        const counts = await stack.api.app.queue.getJobCounts();
        return Object.values(counts).reduce((a, b) => a + b, 0);
      },
    };

    videoCases(context);
    batchCases(context);
    moneyCases(context);

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

    it('lists the models and their fields as GET /v1/models does', async () => {
      const models = await vq.models();
      expect(models).toHaveLength(64);
      expect(models).toEqual((await context.api('/v1/models')).body);
      expect(models.find((m) => m.default)?.id).toBe('sber-ai/kandinsky5-distill-t2v');
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
