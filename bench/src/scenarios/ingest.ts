import { mb, size, uniq } from '../util.js';
import { benchConfig, privateRedis, queueFor, teardown } from '../env.js';
import { INGEST_ROUNDS, batchCsv, buildApi, ingestRounds, timeRaw, warmRows } from '../upload.js';
import type { BenchOptions, ScenarioResult } from '../types.js';

/**
 * Ingest (issue 3): raw BullMQ addBulk of N minimal jobs in chunks of 1,000, against POST /v1/batches
 * of an N-row CSV to the API (its own process, started fresh for each round) until every job is in
 * Redis. Same private Redis, emptied before each timing, so that every one starts on an empty Redis.
 */
export async function ingest(options: BenchOptions): Promise<ScenarioResult> {
  const rows = size(options, 5_000, 100_000);
  const redis = await privateRedis();
  const config = (prefix: string) => benchConfig({ REDIS_URL: redis.url, QUEUE_PREFIX: prefix });
  const queues: ReturnType<typeof queueFor>[] = [];
  const queue = (tag: string) => {
    const prefix = uniq(tag);
    const q = queueFor(redis.redis, config(prefix));
    queues.push(q);
    return { prefix, q };
  };
  // The private Redis this scenario started: nobody else's data is in it.
  const empty = () => redis.redis.flushall();
  try {
    buildApi(options.log);
    const csv = batchCsv(rows);
    // Both sides warm, as a running API and a producer that has enqueued before are (in a full run the
    // bench process is already warm from the scenarios before this one; a fresh API process is not).
    const r = await ingestRounds({
      rows,
      csv,
      empty,
      warmRaw: (n) => timeRaw(queue('ing-warm').q, n, () => undefined),
      raw: () => timeRaw(queue('ing-raw').q, rows, options.log),
      startApi: () => {
        const { prefix, q } = queue('ing-api');
        return Promise.resolve({ queue: q, env: { REDIS_URL: redis.url, QUEUE_PREFIX: prefix } });
      },
      fairShareRows: options.fairShareRows,
      log: options.log,
    });
    const { apiS, rawS, ratios, mid, ratio, refS } = r;
    const peak = r.peakRssBytes;
    const warm = warmRows(rows);
    const list = (xs: number[], digits = 2) => xs.map((x) => x.toFixed(digits)).join(', ');
    return {
      name: 'ingest',
      title: `Ingest: ${rows} prompts as one CSV upload vs raw addBulk in chunks of 1,000 (median of ${INGEST_ROUNDS} rounds)`,
      params: {
        rows,
        rounds: INGEST_ROUNDS,
        csv_bytes: Buffer.byteLength(csv),
        fair_share_rows: options.fairShareRows ?? config('x').FAIR_SHARE_ROWS,
      },
      rows: [
        {
          metric: 'time until every job is in Redis (median round)',
          value: `${apiS[mid]!.toFixed(2)} s`,
          reference: `${refS.toFixed(2)} s (raw addBulk before and after it)`,
        },
        { metric: 'uploads, every round', value: `${list(apiS)} s`, reference: `raw ${list(rawS)} s` },
        { metric: 'ratio upload / raw, every round', value: list(ratios) },
        {
          metric: 'ratio upload / raw (median)',
          value: ratio.toFixed(2),
          target: '≤ 1.15',
          ok: ratio <= 1.15,
        },
        {
          metric: 'rows per second',
          value: (rows / apiS[mid]!).toFixed(0),
          reference: (rows / refS).toFixed(0),
        },
        {
          metric: 'API peak memory (RSS, highest round)',
          value: mb(peak),
          target: '< 300 MB',
          ok: peak < 300 * 1024 * 1024,
        },
      ],
      figures: {
        rows,
        rounds: INGEST_ROUNDS,
        raw_s: refS,
        raw_s_all: list(rawS),
        api_s: apiS[mid]!,
        api_s_all: list(apiS),
        ratio,
        ratios: list(ratios),
        api_peak_rss_bytes: peak,
      },
      notes: [
        'the upload is validated as a whole file before anything is enqueued, and writes a batch record (row inputs and statuses) beside the jobs; the raw reference only adds jobs.',
        `each round starts a fresh API process and warms it with an untimed ${warm}-row upload (the bench process with as many rows of addBulk, once), as a running server is; the private Redis is emptied before every timing.`,
      ],
    };
  } finally {
    await teardown({ queues, redis });
  }
}
