import { readMetrics } from '@vidqueue/core/runtime';
import { startSimulator } from '@vidqueue/simulator';
import { FIRST_BATCH_PRIORITY, rowPriority } from '@vidqueue/core/producer';
import { mb, size, uniq } from '../util.js';
import {
  WORKER_SCRIPT,
  allFinished,
  benchConfig,
  enqueue,
  percentile,
  privateRedis,
  queueFor,
  spawnTs,
  teardown,
  workerEnv,
  until,
  warmUp,
  workerReady,
} from '../env.js';
import type { BenchOptions, ScenarioResult } from '../types.js';

/**
 * The worker's slots (runs at once). A due check needs one for its call and a few Redis round trips;
 * the checks of 50,000 generations created as fast as the worker can come due about as fast, 60 s
 * later. 100 so that slots are not what limits this scenario: the table counts the worker's own
 * warnings that they were (slot-watch.ts). Runs before 2026-12-02 07:17 UTC used 50. `--concurrency N`.
 */
export const CAPACITY_CONCURRENCY = 100;

/** Scales a default duration, never under the config's 100 ms minimum for intervals. */
export const scaled = (ms: number, scale: number, min = 100) => String(Math.max(min, Math.round(ms * scale)));

/**
 * In-flight capacity: N prompts whose generations take 60 s each, one worker process (default
 * settings, adaptive schedule). All in flight at once; status-check lateness against the persisted
 * nextCheckAt, the worker's peak memory and CPU time.
 */
export async function capacity(options: BenchOptions): Promise<ScenarioResult> {
  const jobs = size(options, 500, 50_000);
  const scale = options.timeScale;
  const generationMs = Math.round(60_000 * scale);
  const redis = await privateRedis();
  const sim = await startSimulator({ generationMs, maxGenerations: jobs * 2 });
  const prefix = uniq('cap');
  const config = benchConfig({ REDIS_URL: redis.url, QUEUE_PREFIX: prefix, AIMLAPI_BASE_URL: sim.url });
  const queue = queueFor(redis.redis, config);
  const fairShareRows = options.fairShareRows ?? config.FAIR_SHARE_ROWS;
  const concurrency = options.concurrency ?? CAPACITY_CONCURRENCY;
  const child = spawnTs(
    WORKER_SCRIPT,
    workerEnv(redis.url, prefix, sim.url, {
      WORKER_CONCURRENCY: String(concurrency),
      STATUS_FIRST_CHECK_MS: scaled(30_000, scale),
      STATUS_INTERVAL_MS: scaled(10_000, scale),
      STATUS_MIN_INTERVAL_MS: scaled(2_000, scale),
      GENERATION_DEADLINE_MS: scaled(15 * 60_000, scale, 1000),
    }),
  );
  const warmup = options.quick ? 20 : 50;
  try {
    await workerReady(queue, child);
    options.log(`  warm-up: ${warmup} generations so the adaptive schedule has learned the model's time`);
    await warmUp(queue, child, warmup);
    sim.reset();
    const cpuBefore = child.usage().cpuMs;
    const started = performance.now();
    // As the API enqueues a batch: each row at its fair-share level (FAIR_SHARE_ROWS), so a status
    // check (the worker drops an in-flight job's priority to 0) is taken before the creates still
    // waiting. `--fair-share-rows 0`: no priorities, the checks queue behind them (FIFO).
    const levels =
      fairShareRows > 0 ? (i: number) => rowPriority(FIRST_BATCH_PRIORITY, i, fairShareRows) : undefined;
    await enqueue(queue, jobs, 'capacity', 1000, levels);
    const enqueuedS = (performance.now() - started) / 1000;
    let peakInFlight = 0;
    const sampler = setInterval(() => {
      peakInFlight = Math.max(peakInFlight, sim.stats().in_flight);
    }, 2_000);
    let counts;
    try {
      counts = await allFinished(queue, jobs, 15 * 60_000, child, 500);
    } finally {
      clearInterval(sampler);
    }
    const seconds = (performance.now() - started) / 1000;
    const usage = child.usage();
    const cpuMs = usage.cpuMs - cpuBefore;
    const finished = await queue.getJobs(['completed'], 0, -1);
    // The last check of each job (the run that saw the video ready): BullMQ stamps `processedOn` when a
    // run starts; `nextCheckAt` is what the run before it scheduled (the check that sees the video ready
    // does not write the job data again, so its `lastCheckAt` is the previous check's, not its own).
    const lateness = finished.flatMap((job) =>
      job.processedOn !== undefined && job.data.nextCheckAt !== undefined
        ? [job.processedOn - job.data.nextCheckAt]
        : [],
    );
    // The worker writes its metrics once a second: wait until every completion is in them.
    await until(
      'the worker to flush its metrics',
      async () =>
        ((await readMetrics(redis.redis, prefix)).events.completed ?? 0) >= warmup + counts.completed,
      10_000,
    ).catch((err: unknown) => options.log(`  ${String(err)}; reading the metrics as they are`));
    const metrics = await readMetrics(redis.redis, prefix);
    const hist = metrics.histograms.check_lateness_seconds;
    const within = (le: number) => hist.buckets.find((b) => b.le === le)?.count ?? 0;
    const share = (n: number) => `${n}/${hist.count} (${((100 * n) / Math.max(1, hist.count)).toFixed(2)}%)`;
    const p50 = percentile(lateness, 50);
    const p99 = percentile(lateness, 99);
    const sim2 = sim.stats();
    // The worker's own account of late checks (slot-watch.ts; warn level: every slot was busy).
    const slotWarnings = child
      .output()
      .split('\n')
      .filter((line) => line.includes('running late with every slot busy')).length;
    options.log(
      `  ${jobs} jobs, ${counts.completed} completed in ${seconds.toFixed(0)} s (enqueued in ${enqueuedS.toFixed(1)} s)`,
    );
    return {
      name: 'capacity',
      title: `In-flight capacity: ${jobs} prompts, ${(generationMs / 1000).toFixed(1)} s generations, one worker process`,
      params: {
        jobs,
        warmup,
        generation_ms: generationMs,
        concurrency,
        fair_share_rows: fairShareRows,
        time_scale: scale,
      },
      rows: [
        {
          metric: 'all completed',
          value:
            counts.completed === jobs ? 'yes' : `no (${counts.completed}/${jobs}, ${counts.failed} failed)`,
          target: 'yes',
          ok: counts.completed === jobs,
        },
        { metric: 'peak generations in flight at the provider', value: String(peakInFlight) },
        { metric: 'check lateness p50 (last check of each job)', value: `${p50} ms` },
        {
          metric: 'check lateness p99 (last check of each job)',
          value: `${p99} ms`,
          target: '< 1000 ms',
          ok: p99 < 1000,
        },
        { metric: 'jobs whose last check was timed', value: `${lateness.length}/${finished.length}` },
        { metric: 'checks ≤ 1 s late (all checks, metrics histogram)', value: share(within(1)) },
        { metric: 'checks ≤ 2 s late (all checks, metrics histogram)', value: share(within(2)) },
        {
          metric: "worker's warnings: checks late with every slot busy",
          value: String(slotWarnings),
        },
        {
          metric: 'peak worker memory (RSS)',
          value: mb(usage.peakRssBytes),
          target: '< 500 MB',
          ok: usage.peakRssBytes < 500 * 1024 * 1024,
        },
        {
          metric: 'worker CPU time',
          value: `${(cpuMs / 1000).toFixed(1)} s over ${seconds.toFixed(0)} s`,
        },
        {
          metric: 'status checks per video',
          value: (sim2.status_checks / Math.max(1, counts.completed)).toFixed(2),
        },
      ],
      figures: {
        jobs,
        completed: counts.completed,
        failed: counts.failed,
        seconds,
        peak_in_flight: peakInFlight,
        lateness_p50_ms: p50,
        lateness_p99_ms: p99,
        checks_total: hist.count,
        checks_within_1s: within(1),
        checks_within_2s: within(2),
        jobs_timed: lateness.length,
        peak_rss_bytes: usage.peakRssBytes,
        cpu_ms: cpuMs,
        warmup,
        status_checks: sim2.status_checks,
        concurrency,
        slot_warnings: slotWarnings,
      },
      notes:
        scale === 1
          ? []
          : [
              `time scale ${scale}: generations take ${generationMs} ms instead of 60 s; lateness is not scaled.`,
            ],
    };
  } finally {
    await teardown({ child, queues: [queue], sim, redis });
  }
}
