import { freePort } from '@vidqueue/redis-server';
import { mb, size, uniq } from '../util.js';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, benchConfig, enqueue, privateRedis, queueFor, spawnNode, teardown, until } from '../env.js';
import type { BenchOptions, ScenarioResult } from '../types.js';

/** The API as production runs it (the Dockerfile): the esbuild bundle, not the tsx loader. */
const API_BUNDLE = 'apps/api/dist/main.mjs';

/**
 * Ingest (issue 3): raw BullMQ addBulk of N minimal jobs in chunks of 1,000, against POST /v1/batches
 * of an N-row CSV to the API (its own process) until every job is in Redis. Same Redis, one run.
 */
export async function ingest(options: BenchOptions): Promise<ScenarioResult> {
  const rows = size(options, 5_000, 100_000);
  const redis = await privateRedis();
  const apiPrefix = uniq('ing-api');
  // The reference runs before and after the upload (its own queue each time) and is averaged, so a
  // change in machine load during the run weighs on both sides alike.
  const rawQueues = [uniq('ing-raw'), uniq('ing-raw')].map((prefix) =>
    queueFor(redis.redis, benchConfig({ REDIS_URL: redis.url, QUEUE_PREFIX: prefix })),
  );
  const [rawBefore, rawAfter] = rawQueues as [(typeof rawQueues)[number], (typeof rawQueues)[number]];
  const apiConfig = benchConfig({ REDIS_URL: redis.url, QUEUE_PREFIX: apiPrefix });
  const apiQueue = queueFor(redis.redis, apiConfig);
  const port = await freePort();
  execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: 'ignore' });
  options.log(`  API: the production bundle (${API_BUNDLE}, built by pnpm build), as the Dockerfile runs it`);
  const api = spawnNode([join(ROOT, API_BUNDLE)], {
    REDIS_URL: redis.url,
    QUEUE_PREFIX: apiPrefix,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    MAX_BATCH_ROWS: String(Math.max(rows, 100_000)),
    ...(options.fairShareRows === undefined ? {} : { FAIR_SHARE_ROWS: String(options.fairShareRows) }),
  });
  const url = `http://127.0.0.1:${port}`;
  const inRedis = async (queue: typeof apiQueue) => {
    const c = await queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed');
    return Object.values(c).reduce((a, b) => a + b, 0);
  };
  try {
    await until(
      'the API to listen',
      async () => {
        if (api.process.exitCode !== null) throw new Error(`api exited:\n${api.output()}`);
        return fetch(`${url}/readyz`).then(
          (r) => r.ok,
          () => false,
        );
      },
      60_000,
    );
    const lines = ['prompt,custom_id'];
    for (let i = 0; i < rows; i++) lines.push(`a lighthouse in a storm number ${i},row-${i}`);
    const csv = `${lines.join('\n')}\n`;

    const timeRaw = async (queue: typeof apiQueue) => {
      const start = performance.now();
      await enqueue(queue, rows, 'ingest', 1000);
      const s = (performance.now() - start) / 1000;
      options.log(`  raw addBulk: ${rows} jobs in ${s.toFixed(2)} s`);
      return s;
    };
    const rawBeforeS = await timeRaw(rawBefore);

    const apiStart = performance.now();
    const res = await fetch(`${url}/v1/batches`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: csv,
    });
    const answer = await res.text();
    if (res.status !== 202 && res.status !== 200) {
      throw new Error(`POST /v1/batches answered ${res.status}: ${answer.slice(0, 300)}`);
    }
    await until('every batch job in Redis', async () => (await inRedis(apiQueue)) >= rows, 10 * 60_000, 50);
    const apiS = (performance.now() - apiStart) / 1000;
    const peak = api.usage().peakRssBytes;
    options.log(`  POST /v1/batches: ${rows} rows in ${apiS.toFixed(2)} s`);
    const rawAfterS = await timeRaw(rawAfter);
    const rawS = (rawBeforeS + rawAfterS) / 2;
    const ratio = apiS / rawS;
    return {
      name: 'ingest',
      title: `Ingest: ${rows} prompts as one CSV upload vs raw addBulk in chunks of 1,000`,
      params: {
        rows,
        csv_bytes: Buffer.byteLength(csv),
        fair_share_rows: options.fairShareRows ?? apiConfig.FAIR_SHARE_ROWS,
      },
      rows: [
        {
          metric: 'time until every job is in Redis',
          value: `${apiS.toFixed(2)} s`,
          reference: `${rawS.toFixed(2)} s (raw addBulk: ${rawBeforeS.toFixed(2)}, ${rawAfterS.toFixed(2)})`,
        },
        { metric: 'ratio upload / raw', value: ratio.toFixed(2), target: '≤ 1.15', ok: ratio <= 1.15 },
        { metric: 'rows per second', value: (rows / apiS).toFixed(0), reference: (rows / rawS).toFixed(0) },
        {
          metric: 'API peak memory (RSS)',
          value: mb(peak),
          target: '< 300 MB',
          ok: peak < 300 * 1024 * 1024,
        },
      ],
      figures: {
        rows,
        raw_s: rawS,
        raw_before_s: rawBeforeS,
        raw_after_s: rawAfterS,
        api_s: apiS,
        ratio,
        api_peak_rss_bytes: peak,
      },
      notes: [
        'the upload is validated as a whole file before anything is enqueued, and writes a batch record (row inputs and statuses) beside the jobs; the raw reference only adds jobs.',
      ],
    };
  } finally {
    await teardown({ child: api, queues: [...rawQueues, apiQueue], redis });
  }
}
