/**
 * The reference: the smallest sound raw-BullMQ worker doing the same cycle as vidqueue's (create,
 * delayed status check, complete) against the same simulator, in its own process. No validation,
 * no failure handling, no hooks, no logs: the floor our worker's overhead is measured against. It keeps
 * finished jobs as vidqueue's workers do (the same KEEP_* retention, BullMQ's own `removeOnComplete` /
 * `removeOnFail`): what a sound deployment pays either way, so it is not counted as our overhead.
 * REFERENCE_HTTP picks its HTTP client: `fetch` (default: Node's global fetch, what the simplest worker
 * uses) or `request` (undici's `request`, the client vidqueue's provider client uses: the same HTTP
 * cost on both sides, so the ratio is orchestration alone).
 * Env: REDIS_URL, QUEUE_PREFIX, AIMLAPI_BASE_URL, AIMLAPI_KEY, WORKER_CONCURRENCY, CHECK_DELAY_MS, REFERENCE_HTTP.
 */
import { DelayedError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { request } from 'undici';
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

/** One call: the answer's status and its JSON body. */
const call: (url: string, body?: string) => Promise<{ status: number; body: unknown }> =
  process.env.REFERENCE_HTTP === 'request'
    ? async (url, body) => {
        const res = await request(url, body === undefined ? { headers } : { method: 'POST', headers, body });
        return { status: res.statusCode, body: await res.body.json() };
      }
    : async (url, body) => {
        const res = await fetch(url, body === undefined ? { headers } : { method: 'POST', headers, body });
        return { status: res.status, body: await res.json() };
      };

async function processJob(job: Job<Data>, token?: string): Promise<{ videoUrl: string }> {
  if (!job.data.generationId) {
    const body = JSON.stringify({ model: job.data.input.model, prompt: job.data.input.prompt });
    const res = await call(`${base}/v2/video/generations`, body);
    if (res.status !== 200 && res.status !== 201) throw new Error(`create answered ${res.status}`);
    await job.updateData({ ...job.data, generationId: (res.body as { id: string }).id });
  } else {
    const id = encodeURIComponent(job.data.generationId);
    const res = await call(`${base}/v2/video/generations?generation_id=${id}`);
    if (res.status !== 200) throw new Error(`status answered ${res.status}`);
    const answer = res.body as { status: string; video?: { url: string } };
    if (answer.status === 'completed' && answer.video) return { videoUrl: answer.video.url };
    if (answer.status === 'error') throw new Error('generation failed');
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
