import { startSimulator, type RunningSimulator } from '@vidqueue/simulator';
import type { GenerationResult } from '@vidqueue/core/contract';
import { size, uniq } from '../util.js';
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
  warmUp,
  workerReady,
} from '../env.js';
import type { BenchOptions, ScenarioResult } from '../types.js';
import { scaled } from './capacity.js';

const CONCURRENCY = 50;

/** When the simulator finished a generation (its own record; the provider never says). */
function doneAt(sim: RunningSimulator, generationId: string): number | undefined {
  const state = sim.app.simulator as unknown as {
    store: { get(id: string): { doneAt: number } | undefined };
  };
  return state.store.get(generationId)?.doneAt;
}

/**
 * Calls per video: generation times drawn like the real model (35 to 70 s for 5 s clips). vidqueue's
 * adaptive schedule (after a warm-up batch it learns from) against fixed 10 s polling, the provider
 * sample's loop, run at the same time, each with its own simulator and worker process.
 */
export async function calls(options: BenchOptions): Promise<ScenarioResult> {
  const jobs = size(options, 200, 1_000);
  const warmup = options.quick ? 20 : 50;
  const scale = options.timeScale;
  const range = { min: Math.round(35_000 * scale), max: Math.round(70_000 * scale) };
  const redis = await privateRedis();
  const sims = {
    adaptive: await startSimulator({ generationMs: range, maxGenerations: (jobs + warmup) * 2 }),
    fixed: await startSimulator({ generationMs: range, maxGenerations: (jobs + warmup) * 2 }),
  };
  const envs = {
    adaptive: {
      STATUS_SCHEDULE: 'adaptive',
      STATUS_FIRST_CHECK_MS: scaled(30_000, scale),
      STATUS_INTERVAL_MS: scaled(10_000, scale),
      STATUS_MIN_INTERVAL_MS: scaled(2_000, scale),
    },
    fixed: {
      STATUS_SCHEDULE: 'fixed',
      STATUS_FIRST_CHECK_MS: scaled(10_000, scale),
      STATUS_INTERVAL_MS: scaled(10_000, scale),
    },
  };
  const runs = (['adaptive', 'fixed'] as const).map((kind) => {
    const prefix = uniq(`calls-${kind}`);
    const sim = sims[kind];
    const config = benchConfig({ REDIS_URL: redis.url, QUEUE_PREFIX: prefix, AIMLAPI_BASE_URL: sim.url });
    const queue = queueFor(redis.redis, config);
    const child = spawnTs(
      WORKER_SCRIPT,
      workerEnv(redis.url, prefix, sim.url, {
        WORKER_CONCURRENCY: String(CONCURRENCY),
        GENERATION_DEADLINE_MS: scaled(15 * 60_000, scale, 1000),
        ...envs[kind],
      }),
    );
    return { kind, sim, queue, child };
  });
  try {
    for (const r of runs) await workerReady(r.queue, r.child);
    const adaptive = runs[0];
    if (!adaptive) throw new Error('no run');
    options.log(`  warm-up: ${warmup} generations so the adaptive worker learns the model's time`);
    await warmUp(adaptive.queue, adaptive.child, warmup);
    adaptive.sim.reset();

    const measured = await Promise.all(
      runs.map(async (r) => {
        await enqueue(r.queue, jobs, `calls-${r.kind}`);
        const counts = await allFinished(r.queue, jobs, 15 * 60_000, r.child, 250);
        const finished = await r.queue.getJobs(['completed'], 0, -1);
        const lags = finished.flatMap((job) => {
          const result = job.returnvalue as GenerationResult | undefined;
          const done = result ? doneAt(r.sim, result.generationId) : undefined;
          return result && done !== undefined ? [(result.completedAt - done) / scale / 1000] : [];
        });
        const stats = r.sim.stats();
        return {
          kind: r.kind,
          completed: counts.completed,
          creates: stats.creates / Math.max(1, counts.completed),
          checks: stats.status_checks / Math.max(1, counts.completed),
          lagP50: percentile(lags, 50),
          lagP95: percentile(lags, 95),
        };
      }),
    );
    const [ours, ref] = measured;
    if (!ours || !ref) throw new Error('missing run');
    const s = (n: number) => `${n.toFixed(1)} s`;
    return {
      name: 'calls',
      title: `Calls per video: ${jobs} prompts, generations ${range.min / 1000}–${range.max / 1000} s; adaptive vs fixed 10 s polling`,
      params: { jobs, warmup, concurrency: CONCURRENCY, time_scale: scale },
      rows: [
        { metric: 'creates per video', value: ours.creates.toFixed(2), reference: ref.creates.toFixed(2) },
        {
          metric: 'status checks per video',
          value: ours.checks.toFixed(2),
          reference: ref.checks.toFixed(2),
          target: '≤ 3',
          ok: ours.checks <= 3,
        },
        { metric: 'detection lag p50', value: s(ours.lagP50), reference: s(ref.lagP50) },
        {
          metric: 'detection lag p95',
          value: s(ours.lagP95),
          reference: s(ref.lagP95),
          target: '≤ 10 s',
          ok: ours.lagP95 <= 10,
        },
        {
          metric: 'completed',
          value: `${ours.completed}/${jobs}`,
          reference: `${ref.completed}/${jobs}`,
        },
      ],
      figures: {
        jobs,
        adaptive_creates_per_video: ours.creates,
        adaptive_checks_per_video: ours.checks,
        adaptive_lag_p50_s: ours.lagP50,
        adaptive_lag_p95_s: ours.lagP95,
        fixed_creates_per_video: ref.creates,
        fixed_checks_per_video: ref.checks,
        fixed_lag_p50_s: ref.lagP50,
        fixed_lag_p95_s: ref.lagP95,
      },
      notes: [
        'detection lag: from the moment the simulator finished the generation to the result written by the worker.',
        ...(scale === 1
          ? []
          : [
              `time scale ${scale}: all times run ${1 / scale}× faster; lags are shown divided by the scale (real-time seconds).`,
            ]),
      ],
    };
  } finally {
    for (const r of runs) await teardown({ child: r.child, queues: [r.queue], sim: r.sim });
    await teardown({ redis });
  }
}
