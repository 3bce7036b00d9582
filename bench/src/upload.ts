import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '@vidqueue/redis-server';
import type { GenerationQueue, GenerationQueues } from '@vidqueue/core/store';
import { ROOT, enqueue, spawnNode, until, type Child } from './env.js';
import { mb } from './util.js';

/**
 * What the ingest scenarios share (`ingest` on one Redis, `scale` on a cluster): the API as its own
 * process from its production bundle, the CSV, and the two timings compared (raw addBulk, the upload).
 */

/** The API as production runs it (the Dockerfile): the esbuild bundle, not the tsx loader. */
export const API_BUNDLE = 'apps/api/dist/main.mjs';

/** `pnpm build` (once per scenario, before the API is started). */
export function buildApi(log: (line: string) => void): void {
  execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: 'ignore' });
  log(`  API: the production bundle (${API_BUNDLE}, built by pnpm build), as the Dockerfile runs it`);
}

/** Starts the API bundle with `env` (its Redis, prefix…) on a free port; resolves once `/readyz` is ok. */
export async function startApiProcess(
  env: Record<string, string>,
  rows: number,
  fairShareRows: number | undefined,
): Promise<{ child: Child; url: string }> {
  const port = await freePort();
  const child = spawnNode([join(ROOT, API_BUNDLE)], {
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    MAX_BATCH_ROWS: String(Math.max(rows, 100_000)),
    ...(fairShareRows === undefined ? {} : { FAIR_SHARE_ROWS: String(fairShareRows) }),
    ...env,
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await until(
      'the API to listen',
      async () => {
        if (child.process.exitCode !== null) throw new Error(`api exited:\n${child.output()}`);
        return fetch(`${url}/readyz`).then(
          (r) => r.ok,
          () => false,
        );
      },
      60_000,
    );
  } catch (err) {
    await child.stop();
    throw err;
  }
  return { child, url };
}

/** An n-row CSV of prompts with custom ids. */
export function batchCsv(rows: number): string {
  const lines = ['prompt,custom_id'];
  for (let i = 0; i < rows; i++) lines.push(`a lighthouse in a storm number ${i},row-${i}`);
  return `${lines.join('\n')}\n`;
}

type Queues = GenerationQueue | GenerationQueues;

/** Jobs of the queue in Redis, whatever their state. */
async function inRedis(queue: Queues): Promise<number> {
  const c = await queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed');
  return Object.values(c).reduce((a, b) => a + b, 0);
}

/** Seconds to addBulk `rows` minimal jobs in chunks of 1,000 (the reference). */
export async function timeRaw(
  queue: Queues,
  rows: number,
  log: (line: string) => void,
  label = '',
): Promise<number> {
  const start = performance.now();
  await enqueue(queue, rows, 'ingest', 1000);
  const s = (performance.now() - start) / 1000;
  log(`  raw addBulk${label}: ${rows} jobs in ${s.toFixed(2)} s`);
  return s;
}

/** Seconds from `POST /v1/batches` of `csv` until all its `rows` jobs are in the API's queue. */
export async function timeUpload(url: string, csv: string, queue: Queues, rows: number): Promise<number> {
  const start = performance.now();
  const res = await fetch(`${url}/v1/batches`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv' },
    body: csv,
  });
  const answer = await res.text();
  if (res.status !== 202 && res.status !== 200) {
    throw new Error(`POST /v1/batches answered ${res.status}: ${answer.slice(0, 300)}`);
  }
  await until('every batch job in Redis', async () => (await inRedis(queue)) >= rows, 10 * 60_000, 50);
  return (performance.now() - start) / 1000;
}

/**
 * Uploads timed, each between two raw references: one machine's timings move by 10-25 % from one
 * minute to the next, so a single pair decides the ratio by chance. The ratio is the median of the
 * rounds' ratios (each upload against the mean of the references just before and just after it).
 */
export const INGEST_ROUNDS = 3;

/** Rows of the untimed upload (and addBulk) that warm each side up before it is timed; at most a tenth of the run. */
export const warmRows = (rows: number) => Math.min(2_000, Math.ceil(rows / 10));

export type IngestRounds = {
  /** Seconds of each timed upload, and of each raw reference (one more: before the first and after each). */
  apiS: number[];
  rawS: number[];
  /** Each upload against the mean of the references around it; the median round's index and ratio. */
  ratios: number[];
  mid: number;
  ratio: number;
  /** The median round's reference (mean of the raw timings around it). */
  refS: number;
  /** The API's highest peak RSS over the rounds. */
  peakRssBytes: number;
};

/**
 * `INGEST_ROUNDS` rounds of: the store emptied, a fresh API process (`startApi`: its queue and the
 * env to start it with) warmed with an untimed upload of `warmRows(rows)` rows, as a running server is,
 * then the timed upload of `csv` (`rows` rows); a raw reference (`raw`: addBulk of `rows` minimal jobs
 * on the emptied store) before the first round and after each. The bench process is warmed the same
 * way (`warmRaw`), once. Shared by `ingest` (one Redis) and `scale` (a cluster), so both measure alike.
 */
export async function ingestRounds(o: {
  rows: number;
  csv: string;
  empty: () => Promise<unknown>;
  warmRaw: (rows: number) => Promise<unknown>;
  raw: () => Promise<number>;
  startApi: () => Promise<{ queue: Queues; env: Record<string, string> }>;
  fairShareRows: number | undefined;
  log: (line: string) => void;
  label?: string;
}): Promise<IngestRounds> {
  const warm = warmRows(o.rows);
  await o.warmRaw(warm);
  await o.empty();
  const rawS = [await o.raw()];
  const apiS: number[] = [];
  let peakRssBytes = 0;
  for (let round = 0; round < INGEST_ROUNDS; round++) {
    await o.empty();
    const { queue, env } = await o.startApi();
    const api = await startApiProcess(env, o.rows, o.fairShareRows);
    try {
      // Untimed: the warm-up upload's jobs stay in the queue, so the timed one waits for both.
      await timeUpload(api.url, batchCsv(warm), queue, warm);
      const s = await timeUpload(api.url, o.csv, queue, warm + o.rows);
      const rss = api.child.usage().peakRssBytes;
      peakRssBytes = Math.max(peakRssBytes, rss);
      o.log(
        `  POST /v1/batches${o.label ?? ''}: ${o.rows} rows in ${s.toFixed(2)} s, API peak RSS ${mb(rss)} (round ${round + 1} of ${INGEST_ROUNDS})`,
      );
      apiS.push(s);
    } finally {
      await api.child.stop();
    }
    await o.empty();
    rawS.push(await o.raw());
  }
  const ratios = apiS.map((s, i) => s / ((rawS[i]! + rawS[i + 1]!) / 2));
  const order = ratios.map((_, i) => i).sort((a, b) => ratios[a]! - ratios[b]!);
  const mid = order[Math.floor(order.length / 2)]!;
  return {
    apiS,
    rawS,
    ratios,
    mid,
    ratio: ratios[mid]!,
    refS: (rawS[mid]! + rawS[mid + 1]!) / 2,
    peakRssBytes,
  };
}
