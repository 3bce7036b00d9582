import { startSimulator } from '@vidqueue/simulator';
import { batchJobId } from '@vidqueue/core/contract';
import { FIRST_BATCH_PRIORITY, createProducer, rowPriority, type Producer } from '@vidqueue/core/producer';
import { GenerationQueues, type GenerationQueue } from '@vidqueue/core/store';
import { size, uniq } from '../util.js';
import {
  WORKER_SCRIPT,
  benchConfig,
  enqueue,
  privateRedis,
  queueFor,
  spawnTs,
  teardown,
  until,
  workerEnv,
  workerReady,
  type Child,
} from '../env.js';
import type { BenchOptions, ScenarioResult } from '../types.js';

const CONCURRENCY = 20;
/** Rows of the second batch, sent right after the single prompt. */
const SECOND_BATCH = 100;

type Waits = { singleMs: number; secondBatchMs: number; ingestS: number };

/**
 * Fair sharing (issue 15 item 7): one worker process (concurrency 20) is taking a large batch when a
 * single prompt, then a small second batch, are sent. Figures: the wait from each send until its
 * create call starts (`submitStartedAt`), with priorities (FAIR_SHARE_ROWS default) against the same
 * run without them (FAIR_SHARE_ROWS=0: plain FIFO, as before fair sharing), same Redis and simulator.
 * The producer runs in the bench process (the same code as the API's routes).
 */
export async function fairness(options: BenchOptions): Promise<ScenarioResult> {
  const rows = size(options, 500, 5_000);
  const redis = await privateRedis();
  const sim = await startSimulator({
    generationMs: Math.max(50, Math.round(2_000 * options.timeScale)),
    maxGenerations: rows * 3,
  });
  const run = async (fairShareRows: number): Promise<Waits> => {
    const prefix = uniq(fairShareRows > 0 ? 'fair' : 'fifo');
    const config = benchConfig({
      REDIS_URL: redis.url,
      QUEUE_PREFIX: prefix,
      AIMLAPI_BASE_URL: sim.url,
      FAIR_SHARE_ROWS: String(fairShareRows),
      MAX_BATCH_ROWS: String(Math.max(rows, 100_000)),
    });
    const queue = queueFor(redis.redis, config);
    const producer = createProducer({ redis: redis.redis, queue: new GenerationQueues([queue]), config });
    const child: Child = spawnTs(
      WORKER_SCRIPT,
      workerEnv(redis.url, prefix, sim.url, { WORKER_CONCURRENCY: String(CONCURRENCY) }),
    );
    try {
      await workerReady(queue, child);
      const started = performance.now();
      await ingest(producer, rows, 'big');
      const ingestS = (performance.now() - started) / 1000;
      const singleSent = Date.now();
      const single = await producer.enqueueVideo({ prompt: 'a red fox in snow' });
      const secondSent = Date.now();
      const second = await ingest(producer, SECOND_BATCH, 'second');
      const singleAt = await startedAt(queue, single.video.id, child);
      const secondAt = await startedAt(queue, batchJobId(second, 1), child);
      const waits = { singleMs: singleAt - singleSent, secondBatchMs: secondAt - secondSent, ingestS };
      options.log(
        `  ${fairShareRows > 0 ? `FAIR_SHARE_ROWS=${fairShareRows}` : 'no priorities (FIFO)'}: ` +
          `${rows} rows ingested in ${ingestS.toFixed(2)} s; single prompt started after ` +
          `${(waits.singleMs / 1000).toFixed(2)} s, second batch after ${(waits.secondBatchMs / 1000).toFixed(2)} s`,
      );
      return waits;
    } finally {
      await teardown({ child, queues: [queue] });
    }
  };
  const fairRows = benchConfig({}).FAIR_SHARE_ROWS;
  /** Raw addBulk of `rows` minimal jobs in chunks of 1,000 (seconds), with the producer's row priorities or none. */
  const addBulk = async (prioritized: boolean): Promise<number> => {
    const queue = queueFor(
      redis.redis,
      benchConfig({ REDIS_URL: redis.url, QUEUE_PREFIX: uniq('fair-add') }),
    );
    try {
      const started = performance.now();
      const levels = (i: number) => rowPriority(FIRST_BATCH_PRIORITY, i, fairRows);
      await enqueue(queue, rows, 'add', 1000, prioritized ? levels : undefined);
      return (performance.now() - started) / 1000;
    } finally {
      await teardown({ queues: [queue] });
    }
  };
  try {
    // The cost of priorities in BullMQ itself: plain, prioritized, plain again (averaged).
    const plainBefore = await addBulk(false);
    const prioritizedS = await addBulk(true);
    const plainS = (plainBefore + (await addBulk(false))) / 2;
    const addRatio = prioritizedS / plainS;
    options.log(
      `  raw addBulk of ${rows} jobs: ${prioritizedS.toFixed(2)} s with priorities, ${plainS.toFixed(2)} s without`,
    );
    const fifo = await run(0);
    const fair = await run(fairRows);
    const ratio = fair.singleMs / fifo.singleMs;
    const secondRatio = fair.secondBatchMs / fifo.secondBatchMs;
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    return {
      name: 'fairness',
      title: `Fair sharing: a single prompt and a second batch sent while one worker takes a ${rows}-row batch`,
      params: { rows, second_batch: SECOND_BATCH, concurrency: CONCURRENCY, fair_share_rows: fairRows },
      rows: [
        {
          metric: 'single prompt: wait until its create call',
          value: s(fair.singleMs),
          reference: `${s(fifo.singleMs)} (no priorities)`,
        },
        {
          metric: 'ratio with / without priorities',
          value: ratio.toFixed(3),
          target: '≤ 0.1',
          ok: ratio <= 0.1,
        },
        {
          metric: 'second batch: wait until its first row starts',
          value: s(fair.secondBatchMs),
          reference: `${s(fifo.secondBatchMs)} (no priorities)`,
        },
        { metric: 'ratio with / without priorities', value: secondRatio.toFixed(3) },
        {
          metric: 'raw addBulk with priorities',
          value: `${prioritizedS.toFixed(2)} s`,
          reference: `${plainS.toFixed(2)} s (without)`,
        },
        { metric: 'ratio addBulk with / without priorities', value: addRatio.toFixed(2) },
        {
          metric: 'ingest of the large batch',
          value: `${fair.ingestS.toFixed(2)} s`,
          reference: `${fifo.ingestS.toFixed(2)} s (no priorities)`,
        },
      ],
      figures: {
        rows,
        fair_share_rows: fairRows,
        single_wait_ms: fair.singleMs,
        single_wait_fifo_ms: fifo.singleMs,
        ratio,
        second_batch_wait_ms: fair.secondBatchMs,
        second_batch_wait_fifo_ms: fifo.secondBatchMs,
        second_batch_ratio: secondRatio,
        add_bulk_prioritized_s: prioritizedS,
        add_bulk_plain_s: plainS,
        add_bulk_ratio: addRatio,
        ingest_s: fair.ingestS,
        ingest_fifo_s: fifo.ingestS,
      },
      notes: [
        'the worker takes the large batch while it is ingested; without priorities the prompt waits for every row added before it to be submitted.',
      ],
    };
  } finally {
    await teardown({ sim, redis });
  }
}

async function ingest(producer: Producer, rows: number, label: string): Promise<string> {
  const lines = ['prompt'];
  for (let i = 0; i < rows; i++) lines.push(`${label}: a lighthouse in a storm number ${i}`);
  const { batch } = await producer.ingestBatch(
    { bytes: Buffer.from(`${lines.join('\n')}\n`) },
    { format: 'csv' },
  );
  return batch.id;
}

/** When the job's create call started (epoch ms). */
async function startedAt(queue: GenerationQueue, jobId: string, child: Child): Promise<number> {
  let at: number | undefined;
  await until(
    `job ${jobId} to be submitted`,
    async () => {
      if (child.process.exitCode !== null) throw new Error(`worker exited:\n${child.output()}`);
      at = (await queue.getJob(jobId))?.data.submitStartedAt;
      return at !== undefined;
    },
    10 * 60_000,
    20,
  );
  return at!;
}
