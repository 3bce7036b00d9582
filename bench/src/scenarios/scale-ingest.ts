import { createGenerationQueues, type GenerationQueues } from '@vidqueue/core/store';
import type { PrivateCluster } from '../cluster.js';
import { mb, uniq } from '../util.js';
import { benchConfig, teardown } from '../env.js';
import { batchCsv, buildApi, ingestRounds, timeRaw } from '../upload.js';
import type { BenchOptions, Row } from '../types.js';

/** The `scale` scenario's second part: the ingest scenario, on a cluster. */

/** Empties every master of the private cluster this scenario started (nobody else's data is in it). */
async function emptyCluster(cluster: PrivateCluster): Promise<void> {
  await Promise.all(cluster.redis.nodes('master').map((node) => node.flushall()));
}

/**
 * `POST /v1/batches` of an n-row CSV to the API (its own process) on the cluster with QUEUE_SHARDS=1,
 * then 3, each against raw addBulk of n minimal jobs to the same number of shards, measured as the
 * `ingest` scenario measures on one Redis (upload.ts `ingestRounds`: a warmed API, three rounds, the
 * median ratio); the cluster is emptied before each timing.
 */
export async function ingestOnCluster(
  cluster: PrivateCluster,
  rows: number,
  options: BenchOptions,
): Promise<{ rows: Row[]; figures: Record<string, number> }> {
  buildApi(options.log);
  const csv = batchCsv(rows);
  const out: Row[] = [];
  const figures: Record<string, number> = {};
  for (const shards of [1, 3]) {
    const queues: GenerationQueues[] = [];
    const queue = (tag: string) => {
      const config = benchConfig({
        ...cluster.env,
        QUEUE_PREFIX: `{${uniq(tag)}}`,
        QUEUE_SHARDS: String(shards),
      });
      const q = createGenerationQueues(cluster.redis, config);
      queues.push(q);
      return { q, prefix: config.QUEUE_PREFIX };
    };
    const label = ` (${shards} shard${shards > 1 ? 's' : ''})`;
    try {
      const r = await ingestRounds({
        rows,
        csv,
        empty: () => emptyCluster(cluster),
        warmRaw: (n) => timeRaw(queue(`sc-warm${shards}`).q, n, () => undefined),
        raw: () => timeRaw(queue(`sc-raw${shards}`).q, rows, options.log, label),
        startApi: () => {
          const { q, prefix } = queue(`sc-api${shards}`);
          return Promise.resolve({
            queue: q,
            env: { ...cluster.env, QUEUE_PREFIX: prefix, QUEUE_SHARDS: String(shards) },
          });
        },
        fairShareRows: options.fairShareRows,
        log: options.log,
        label,
      });
      const apiS = r.apiS[r.mid]!;
      const list = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(', ');
      out.push(
        {
          metric: `ingest, QUEUE_SHARDS=${shards}: upload until every job is in Redis (median round)`,
          value: `${apiS.toFixed(2)} s (${(rows / apiS).toFixed(0)} rows/s), API peak ${mb(r.peakRssBytes)}`,
          reference: `raw addBulk ${r.refS.toFixed(2)} s (${(rows / r.refS).toFixed(0)} rows/s)`,
        },
        {
          metric: `ingest, QUEUE_SHARDS=${shards}: ratio upload / raw, every round`,
          value: list(r.ratios),
          reference: `uploads ${list(r.apiS)} s; raw ${list(r.rawS)} s`,
        },
        {
          metric: `ingest, QUEUE_SHARDS=${shards}: ratio upload / raw (median)`,
          value: r.ratio.toFixed(2),
          target: '≤ 1.25',
          ok: r.ratio <= 1.25,
        },
      );
      Object.assign(figures, {
        [`ingest_${shards}_api_s`]: apiS,
        [`ingest_${shards}_raw_s`]: r.refS,
        [`ingest_${shards}_ratio`]: r.ratio,
        [`ingest_${shards}_api_peak_rss_bytes`]: r.peakRssBytes,
      });
    } finally {
      await teardown({ queues });
    }
  }
  const speedup = (figures.ingest_1_api_s ?? 0) / (figures.ingest_3_api_s ?? 1);
  out.push({ metric: 'ingest: upload time 1 shard / 3 shards', value: speedup.toFixed(2) });
  figures.ingest_speedup = speedup;
  return { rows: out, figures };
}
