import { randomUUID } from 'node:crypto';
import { expect, inject, it } from 'vitest';
import { Queue, QueueEvents, UnrecoverableError, Worker } from 'bullmq';
import { withSpan } from '../src/index.js';
import { bullmqTelemetry, scrubEventAttributes } from '../src/bullmq.js';
import { memoryTracing } from './memory-tracing.js';

const { exporter, turnOn } = memoryTracing();

it('keeps no job return value and only the code of a failure reason in span events', () => {
  expect(
    scrubEventAttributes({
      'bullmq.job.result': '{"videoUrl":"https://cdn.example/v.mp4?sig=1"}',
      'bullmq.job.failed.reason': 'generation_failed: the model refused "a red fox"',
      other: 1,
    }),
  ).toEqual({ 'bullmq.job.failed.reason': 'generation_failed', other: 1 });
  expect(scrubEventAttributes({ other: 'x' })).toEqual({ other: 'x' });
  expect(scrubEventAttributes(undefined)).toBeUndefined();
});

it("records neither a job's return value nor its failure message on BullMQ's events (real Queue and Worker)", async () => {
  turnOn();
  const url = new URL(inject('redisUrl'));
  const connection = { host: url.hostname, port: Number(url.port), maxRetriesPerRequest: null };
  const prefix = `vidq-test-${randomUUID()}`;
  const telemetry = bullmqTelemetry();
  const queue = new Queue('results', { connection, prefix, telemetry });
  const events = new QueueEvents('results', { connection, prefix });
  const worker = new Worker(
    'results',
    (job: { data: { fail: boolean } }) => {
      if (job.data.fail) throw new UnrecoverableError('generation_failed: provider text SECRET-MESSAGE');
      return Promise.resolve({ videoUrl: 'https://cdn.example/v.mp4?X-Amz-Signature=SIGNED-SECRET' });
    },
    { connection, prefix, telemetry },
  );
  try {
    await events.waitUntilReady();
    const ok = await withSpan('request', {}, () => queue.add('generate', { fail: false }));
    await ok.waitUntilFinished(events, 10_000);
    const bad = await withSpan('request', {}, () => queue.add('generate', { fail: true }));
    await expect(bad.waitUntilFinished(events, 10_000)).rejects.toThrow();
    await expect
      .poll(() => exporter.getFinishedSpans().flatMap((s) => s.events.map((e) => e.name)))
      .toEqual(expect.arrayContaining(['job completed', 'job failed']));
    const recorded = JSON.stringify(exporter.getFinishedSpans().map((s) => [s.attributes, s.events]));
    expect(recorded).not.toContain('SIGNED-SECRET');
    expect(recorded).not.toContain('SECRET-MESSAGE');
    expect(recorded).toContain('"bullmq.job.failed.reason":"generation_failed"');
  } finally {
    await worker.close();
    await events.close();
    await queue.obliterate({ force: true });
    await queue.close();
  }
});
