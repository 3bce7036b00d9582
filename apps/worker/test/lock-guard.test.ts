import { DelayedError, Worker } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { createAimlApiClient } from '@vidqueue/aimlapi';
import type { Redis } from 'ioredis';
import { GENERATIONS_QUEUE } from '@vidqueue/core/store';
import { createRedis } from '@vidqueue/core/runtime';
import { createBudgets, createProcessor, type GenerationJob } from '../src/index.js';
import { PROVIDER_KEY, requestIdOf, startHarness, type Harness } from './harness.js';

describe('a run that lost the job lock (another worker took the job over)', () => {
  let h: Harness | undefined;
  let manual: Worker | undefined;
  let connection: Redis | undefined;
  afterEach(async () => {
    await manual?.close();
    await connection?.quit();
    await h?.close();
    h = manual = connection = undefined;
  });

  // Without a create budget the lock check is part of the run's first script (the claim); with one
  // it is its own write after the budget said yes.
  it.each([
    { name: 'no create budget', createRate: 0 },
    { name: 'a create rate budget', createRate: 100 },
  ])(
    'sends no create call and writes nothing; the lock holder submits once ($name)',
    async ({ createRate }) => {
      h = await startHarness({ worker: false });
      connection = createRedis(h.config.REDIS_URL, 'worker');
      // A worker without a processor: jobs are taken by hand, each with the lock token we choose.
      manual = new Worker(GENERATIONS_QUEUE, null, { connection, prefix: h.config.QUEUE_PREFIX });
      await manual.waitUntilReady();
      await h.add();
      const job = (await manual.getNextJob('token-of-the-owner')) as GenerationJob;
      expect(job.id).toEqual(expect.any(String));

      const processor = createProcessor({
        config: h.config,
        client: createAimlApiClient({ apiKey: PROVIDER_KEY, baseUrl: h.sim.url }),
        redis: h.redis,
        logger: h.logger,
        ...(createRate > 0 && {
          budgets: createBudgets({
            config: { ...h.config, CREATE_RATE_PER_MIN: createRate },
            redis: h.redis,
          }),
        }),
      });
      // A stale run: its lock expired and the job now belongs to another token.
      await expect(processor(job, 'token-of-a-stalled-run')).rejects.toBeInstanceOf(DelayedError);
      expect(h.sim.stats().create_requests).toBe(0);
      expect((await h.job(job.id!)).data).toMatchObject({ step: 'pending' });
      expect(h.sink.lines.some((l) => String(l.msg).startsWith('lost the job lock'))).toBe(true);

      await expect(processor(job, 'token-of-the-owner')).rejects.toBeInstanceOf(DelayedError);
      expect(h.sim.stats()).toMatchObject({ create_requests: 1, creates: 1 });
      expect((await h.job(job.id!)).data).toMatchObject({
        step: 'checking',
        clientRequestId: requestIdOf(job.id!, 1),
      });
      expect(await h.queue.getJobState(job.id!)).toBe('delayed');
    },
  );
});
