/**
 * One prompt, wait for the video.
 *   VIDQ_API_URL=http://127.0.0.1:3000 [VIDQ_TOKEN=…] pnpm exec tsx examples/one-prompt.ts "a lighthouse at dusk"
 *   REDIS_URL=redis://127.0.0.1:6379 [QUEUE_PREFIX=vidq] pnpm exec tsx examples/one-prompt.ts "…"   (straight to Redis)
 */
import { GenerationFailedError, TimeoutError, createClient } from '@vidqueue/client';

const vq = process.env.REDIS_URL
  ? createClient({ redisUrl: process.env.REDIS_URL, prefix: process.env.QUEUE_PREFIX ?? 'vidq' })
  : createClient({
      apiUrl: process.env.VIDQ_API_URL ?? 'http://127.0.0.1:3000',
      token: process.env.VIDQ_TOKEN,
    });

try {
  const prompt = process.argv[2] ?? 'a lighthouse at dusk, waves breaking below';
  const video = await vq.enqueue({ prompt, duration: 5, aspect_ratio: '3:2', custom_id: 'example-1' });
  console.log(`queued ${video.id} (${vq.mode} mode)`);
  const done = await vq.waitFor(video.id, { timeoutMs: 15 * 60_000 });
  console.log(`completed ${done.id}: ${done.video_url}`);
} catch (err) {
  if (err instanceof GenerationFailedError)
    console.error(`failed: ${err.failureCode}: ${err.providerMessage}`);
  else if (err instanceof TimeoutError)
    console.error(`still running after ${err.timeoutMs} ms; wait again later`);
  else console.error(err);
  process.exitCode = 1;
} finally {
  await vq.close();
}
