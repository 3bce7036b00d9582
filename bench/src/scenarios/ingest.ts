import { mb, size, uniq } from '../util.js';
import { benchConfig, privateRedis, queueFor, teardown } from '../env.js';
import { batchCsv, buildApi, startApiProcess, timeRaw, timeUpload } from '../upload.js';
import type { BenchOptions, ScenarioResult } from '../types.js';

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
  let api: Awaited<ReturnType<typeof startApiProcess>> | undefined;
  try {
    buildApi(options.log);
    api = await startApiProcess(
      { REDIS_URL: redis.url, QUEUE_PREFIX: apiPrefix },
      rows,
      options.fairShareRows,
    );
    const csv = batchCsv(rows);
    const rawBeforeS = await timeRaw(rawBefore, rows, options.log);
    const apiS = await timeUpload(api.url, csv, apiQueue, rows);
    const peak = api.child.usage().peakRssBytes;
    options.log(`  POST /v1/batches: ${rows} rows in ${apiS.toFixed(2)} s`);
    const rawAfterS = await timeRaw(rawAfter, rows, options.log);
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
    await teardown({ child: api?.child, queues: [...rawQueues, apiQueue], redis });
  }
}
