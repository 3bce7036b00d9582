import { afterEach, describe, expect, inject, it } from 'vitest';
import { GenerationJobDataSchema, newVideoId } from '@vidqueue/core/contract';
import { createGenerationQueue, type GenerationQueue } from '@vidqueue/core/store';
import { createRedis, loadConfig } from '@vidqueue/core/runtime';
import { startSimulator, type RunningSimulator } from '@vidqueue/simulator';
import { uniquePrefix } from '@vidqueue/testkit';
import type { Redis } from 'ioredis';
import { spawnTs, type Child } from '@vidqueue/testkit';
import { FAST_ENV, PROVIDER_KEY, requestIdOf } from './harness.js';

const MAIN = new URL('../src/main.ts', import.meta.url);

describe('main.ts as a real process', () => {
  let sim: RunningSimulator | undefined;
  let child: Child | undefined;
  let queue: GenerationQueue | undefined;
  let producer: Redis | undefined;

  afterEach(async () => {
    await child?.kill();
    await queue?.obliterate({ force: true });
    await queue?.close();
    await producer?.quit();
    await sim?.close();
    child = queue = producer = sim = undefined;
  });

  it('on SIGTERM lets the in-flight create finish and persist, then exits 0', async () => {
    // Every create answers after 1.5 s, so SIGTERM lands while one is in flight.
    sim = await startSimulator({ port: 0, generationMs: 5_000, createFaults: { slow: 1 }, slowMs: 1_500 });
    const env = {
      ...FAST_ENV,
      REDIS_URL: inject('redisUrl'),
      QUEUE_PREFIX: uniquePrefix('main'),
      AIMLAPI_KEY: PROVIDER_KEY,
      AIMLAPI_BASE_URL: sim.url,
      LOG_LEVEL: 'info',
    };
    const config = loadConfig(env);
    producer = createRedis(config.REDIS_URL, 'producer');
    queue = createGenerationQueue(producer, config);

    child = spawnTs(MAIN, env);
    expect(await child.waitForLine('worker ready')).toMatchObject({
      concurrency: 4,
      queue: 'generations',
      prefix: env.QUEUE_PREFIX,
    });

    const job = await queue.add(
      'generate',
      GenerationJobDataSchema.parse({
        input: { model: config.DEFAULT_MODEL, prompt: 'a lighthouse at dusk' },
      }),
      { jobId: newVideoId() },
    );
    await expect.poll(() => sim!.stats().create_requests, { interval: 20, timeout: 5_000 }).toBe(1);
    expect(await queue.getJobState(job.id!)).toBe('active');

    child.process.kill('SIGTERM');
    expect(await child.exited()).toEqual({ code: 0, signal: null });

    // The job finished its step before the process left: submitted once, id saved, waiting for a check.
    const saved = await queue.getJob(job.id!);
    expect(saved?.data).toMatchObject({ step: 'checking', clientRequestId: requestIdOf(job.id!, 1) });
    expect(saved?.data.generationId).toEqual(expect.any(String));
    expect(await queue.getJobState(job.id!)).toBe('delayed');
    expect(sim.stats()).toMatchObject({ create_requests: 1, creates: 1 });
    const messages = child.lines().map((l) => l.msg);
    expect(messages).toEqual(
      expect.arrayContaining(['worker ready', 'submitted', 'shutting down', 'worker closed']),
    );
    // The whole sequence in the failure message: a wrong order is then readable from the report alone.
    expect(messages.indexOf('submitted'), messages.join(' | ')).toBeLessThan(
      messages.indexOf('worker closed'),
    );
    expect(child.out()).not.toContain(PROVIDER_KEY);
  });

  it('exits 1 with a clear message when AIMLAPI_KEY is missing', async () => {
    child = spawnTs(MAIN, { REDIS_URL: inject('redisUrl'), QUEUE_PREFIX: uniquePrefix('main') });
    expect(await child.exited()).toEqual({ code: 1, signal: null });
    expect(child.out()).toContain('AIMLAPI_KEY is not set');
  });

  it('exits 1 naming DEFAULT_MODEL when the catalogue does not offer it', async () => {
    child = spawnTs(MAIN, {
      REDIS_URL: inject('redisUrl'),
      QUEUE_PREFIX: uniquePrefix('main'),
      AIMLAPI_KEY: PROVIDER_KEY,
      DEFAULT_MODEL: 'alibaba/wan-2-6-r2v',
    });
    expect(await child.exited()).toEqual({ code: 1, signal: null });
    expect(child.out()).toContain(
      'DEFAULT_MODEL: model "alibaba/wan-2-6-r2v" is not offered: it requires video_urls',
    );
  });
});
