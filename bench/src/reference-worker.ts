/**
 * The reference: the smallest sound raw-BullMQ worker doing the same cycle as vidqueue's (create,
 * delayed status check, complete) against the same simulator, in its own process. No validation,
 * no failure handling, no hooks, no logs: the floor our worker's overhead is measured against. It keeps
 * finished jobs as vidqueue's workers do (the same KEEP_* retention, BullMQ's own `removeOnComplete` /
 * `removeOnFail`): what a sound deployment pays either way, so it is not counted as our overhead.
 * Env: REDIS_URL, QUEUE_PREFIX, AIMLAPI_BASE_URL, AIMLAPI_KEY, WORKER_CONCURRENCY, CHECK_DELAY_MS.
 */
import { DelayedError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { loadConfig } from '@vidqueue/core/runtime';
import { generationRetention } from '@vidqueue/core/store';

type Data = { input: { model: string; prompt: string }; generationId?: string };

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const base = env('AIMLAPI_BASE_URL');
const headers = { authorization: `Bearer ${env('AIMLAPI_KEY')}`, 'content-type': 'application/json' };
const checkDelay = Number(process.env.CHECK_DELAY_MS ?? '0');
const connection = new Redis(env('REDIS_URL'), { maxRetriesPerRequest: null });

async function processJob(job: Job<Data>, token?: string): Promise<{ videoUrl: string }> {
  if (!job.data.generationId) {
    const res = await fetch(`${base}/v2/video/generations`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ model: job.data.input.model, prompt: job.data.input.prompt }),
    });
    if (!res.ok) throw new Error(`create answered ${res.status}`);
    const body = (await res.json()) as { id: string };
    await job.updateData({ ...job.data, generationId: body.id });
  } else {
    const res = await fetch(
      `${base}/v2/video/generations?generation_id=${encodeURIComponent(job.data.generationId)}`,
      { headers },
    );
    if (!res.ok) throw new Error(`status answered ${res.status}`);
    const body = (await res.json()) as { status: string; video?: { url: string } };
    if (body.status === 'completed' && body.video) return { videoUrl: body.video.url };
    if (body.status === 'error') throw new Error('generation failed');
  }
  await job.moveToDelayed(Date.now() + checkDelay, token);
  throw new DelayedError();
}

const worker = new Worker<Data>('generations', processJob, {
  connection,
  prefix: env('QUEUE_PREFIX'),
  concurrency: Number(process.env.WORKER_CONCURRENCY ?? '20'),
  ...generationRetention(loadConfig()),
});
worker.on('error', () => undefined);
process.on('SIGTERM', () => {
  void worker.close().then(() => connection.quit().then(() => process.exit(0)));
});
