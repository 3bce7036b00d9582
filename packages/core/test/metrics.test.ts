import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { uniquePrefix } from '@vidqueue/testkit';
import { vidqKeys } from '../src/contract/index.js';
import { createMetricsRecorder, readMetrics } from '../src/runtime/index.js';

let redis: Redis;
let prefix: string;

beforeEach(() => {
  redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
  prefix = uniquePrefix();
});

afterEach(async () => {
  const keys = await redis.keys(`${vidqKeys(prefix).metric('*')}`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe('createMetricsRecorder', () => {
  it('writes each increment at once by default', async () => {
    const recorder = createMetricsRecorder(redis, prefix);
    await recorder.providerCall('create', 200);
    await recorder.add({ submitted: 1, cost_usd: 0.25 });
    const m = await readMetrics(redis, prefix);
    expect(m.calls).toEqual([{ kind: 'create', status: '200', count: 1 }]);
    expect(m.events).toEqual({ submitted: 1, cost_usd: 0.25 });
    await recorder.close();
  });

  it('with a flush interval, sums increments in memory and writes them on flush and close', async () => {
    const recorder = createMetricsRecorder(redis, prefix, undefined, { flushIntervalMs: 60_000 });
    await recorder.providerCall('status', 200);
    await recorder.providerCall('status', 200);
    await recorder.providerCall('status', 429);
    await recorder.add({ completed: 1, cost_usd: 0.5 });
    await recorder.add({ completed: 1, cost_usd: 0.5 });
    await recorder.observe('check_lateness_seconds', 0.02);
    await recorder.observe('check_lateness_seconds', 3);
    expect((await readMetrics(redis, prefix)).events).toEqual({});

    await recorder.flush();
    const m = await readMetrics(redis, prefix);
    expect(m.calls.sort((a, b) => a.status.localeCompare(b.status))).toEqual([
      { kind: 'status', status: '200', count: 2 },
      { kind: 'status', status: '429', count: 1 },
    ]);
    // cost_usd summed to a whole number: still written as a float, so later fractions add up.
    expect(m.events).toEqual({ completed: 2, cost_usd: 1 });
    const hist = m.histograms.check_lateness_seconds;
    expect(hist.count).toBe(2);
    expect(hist.sum).toBeCloseTo(3.02, 6);
    expect(hist.buckets.find((b) => b.le === 0.05)?.count).toBe(1);
    expect(hist.buckets.find((b) => b.le === 5)?.count).toBe(2);

    await recorder.add({ cost_usd: 0.125, completed: 1 });
    await recorder.close();
    expect((await readMetrics(redis, prefix)).events).toEqual({ completed: 3, cost_usd: 1.125 });
  });

  it('flushes by itself every interval', async () => {
    const recorder = createMetricsRecorder(redis, prefix, undefined, { flushIntervalMs: 50 });
    await recorder.add({ submitted: 2 });
    await expect.poll(async () => (await readMetrics(redis, prefix)).events.submitted).toBe(2);
    await recorder.close();
  });
});
