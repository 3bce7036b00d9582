/**
 * A batch from code, its results streamed to a JSONL file in input order.
 *   VIDQ_API_URL=http://127.0.0.1:3000 [VIDQ_TOKEN=…] pnpm exec tsx examples/batch-to-file.ts results.jsonl
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, type BatchRowInput } from '@vidqueue/client';

const out = process.argv[2] ?? 'batch.results.jsonl';
const vq = createClient({
  apiUrl: process.env.VIDQ_API_URL ?? 'http://127.0.0.1:3000',
  token: process.env.VIDQ_TOKEN,
});

/** Rows can come from anywhere: an array, a database cursor, any (async) iterable. */
function* rows(): Generator<BatchRowInput> {
  const subjects = [
    'a red fox in snow',
    'a paper boat in the rain',
    'koi fish in a pond',
    'a kite on a windy hill',
  ];
  for (const [i, subject] of subjects.entries()) {
    yield { prompt: subject, duration: 5, custom_id: `clip-${i + 1}`, metadata: { source: 'batch-to-file' } };
  }
}

try {
  const batch = await vq.enqueueMany(rows(), { idempotencyKey: process.env.IDEMPOTENCY_KEY });
  console.log(`batch ${batch.id}: ${batch.total} rows`);
  for (;;) {
    const now = await vq.getBatch(batch.id);
    const { completed, failed, cancelled } = now.counts;
    if (completed + failed + cancelled >= now.total) break;
    await sleep(1_000);
  }
  const file = createWriteStream(out);
  let written = 0;
  for await (const row of vq.results(batch.id)) {
    if (!file.write(`${JSON.stringify(row)}\n`)) await once(file, 'drain');
    written++;
  }
  file.end();
  await once(file, 'finish');
  console.log(`wrote ${written} rows to ${out}`);
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  await vq.close();
}
