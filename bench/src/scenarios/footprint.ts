import type { Redis } from 'ioredis';
import { readMetrics } from '@vidqueue/core/runtime';
import { startSimulator } from '@vidqueue/simulator';
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
} from '../env.js';
import type { BenchOptions, ScenarioResult } from '../types.js';

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? Number.NaN);
}

/**
 * Redis footprint: bytes per finished job kept (INFO memory delta and MEMORY USAGE of one job's
 * keys), then more jobs than KEEP_COMPLETED_COUNT to show retention bounds it.
 */
export async function footprint(options: BenchOptions): Promise<ScenarioResult> {
  const total = size(options, 400, 2_000);
  // A quarter of the jobs are kept: the rest shows that retention bounds the footprint.
  const keep = Math.max(1, Math.floor(total / 4));
  const redis = await privateRedis();
  const sim = await startSimulator({ generationMs: 0, maxGenerations: total * 2 });
  const prefix = uniq('mem');
  const env = { KEEP_COMPLETED_COUNT: String(keep) };
  const config = benchConfig({
    REDIS_URL: redis.url,
    QUEUE_PREFIX: prefix,
    AIMLAPI_BASE_URL: sim.url,
    ...env,
  });
  const queue = queueFor(redis.redis, config);
  const child = spawnTs(
    WORKER_SCRIPT,
    workerEnv(redis.url, prefix, sim.url, {
      ...env,
      WORKER_CONCURRENCY: '50',
      STATUS_SCHEDULE: 'fixed',
      STATUS_FIRST_CHECK_MS: '0',
      STATUS_INTERVAL_MS: '100',
    }),
  );
  const completedSoFar = async () => (await readMetrics(redis.redis, prefix)).events.completed ?? 0;
  const idle = async (n: number) => {
    await until(
      `${n} completions`,
      async () => {
        const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        return (await completedSoFar()) >= n && Object.values(c).every((v) => v === 0);
      },
      10 * 60_000,
      50,
    );
  };
  try {
    await workerReady(queue, child);
    const base = await usedMemory(redis.redis);
    const first = await enqueue(queue, keep, 'footprint');
    await idle(keep);
    const afterKeep = await usedMemory(redis.redis);
    const sample = first[0] ?? '';
    const jobKey = `${prefix}:generations:${sample}`;
    const hashBytes = Number((await redis.redis.call('MEMORY', 'USAGE', jobKey)) ?? 0);
    const logBytes = Number((await redis.redis.call('MEMORY', 'USAGE', `${jobKey}:logs`)) ?? 0);
    const perJob = (afterKeep - base) / keep;

    await enqueue(queue, total - keep, 'footprint-more');
    await idle(total);
    const afterAll = await usedMemory(redis.redis);
    const kept = (await queue.getJobCounts('completed')).completed ?? 0;
    const grewPerExtraJob = (afterAll - afterKeep) / (total - keep);
    const ours = await redis.redis.keys(`${prefix}:vidq:*`);
    let ownBytes = 0;
    for (const key of ours) ownBytes += Number((await redis.redis.call('MEMORY', 'USAGE', key)) ?? 0);
    options.log(`  ${total} jobs run, ${kept} kept (KEEP_COMPLETED_COUNT=${keep})`);
    return {
      name: 'footprint',
      title: `Redis footprint: ${total} finished jobs with KEEP_COMPLETED_COUNT=${keep}`,
      params: { total, keep },
      rows: [
        { metric: 'bytes per finished job kept (INFO used_memory delta)', value: perJob.toFixed(0) },
        { metric: 'one job: hash + log list (MEMORY USAGE)', value: `${hashBytes} + ${logBytes} B` },
        {
          metric: `completed jobs kept after ${total}`,
          value: String(kept),
          target: `= ${keep}`,
          ok: kept === keep,
        },
        {
          metric: `used_memory growth per job beyond the first ${keep}`,
          value: `${grewPerExtraJob.toFixed(0)} B`,
          reference: `${perJob.toFixed(0)} B per kept job`,
        },
        {
          metric: "vidqueue's own keys (metrics, learned times)",
          value: `${ours.length} keys, ${ownBytes} B`,
        },
      ],
      figures: {
        total,
        keep,
        bytes_per_kept_job: perJob,
        job_hash_bytes: hashBytes,
        job_log_bytes: logBytes,
        kept,
        growth_per_extra_job_bytes: grewPerExtraJob,
        own_keys: ours.length,
        own_key_bytes: ownBytes,
      },
      notes: [
        "the used_memory delta includes each job's share of the completed set and of BullMQ's event stream (itself capped at about 10,000 entries); growth beyond the kept count is allocator noise and the capped stream.",
      ],
    };
  } finally {
    await teardown({ child, queues: [queue], sim, redis });
  }
}
