import type { Redis } from 'ioredis';
import { readMetrics } from '@vidqueue/core/runtime';
import { startSimulator } from '@vidqueue/simulator';
import { hashFieldBytes, jobKeyBytes, memoryUsage, streamBytes, usedMemory } from '../redis-bytes.js';
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
import type { BenchOptions, Row, ScenarioResult } from '../types.js';

/** Redis's default `hash-max-listpack-value`, and the larger one the scenario also measures. */
const DEFAULT_LISTPACK_VALUE = 64;
const TUNED_LISTPACK_VALUE = 1024;

type Footprint = Awaited<ReturnType<typeof measure>>;

/**
 * Redis footprint: bytes per finished job kept (MEMORY USAGE of every kept job's keys, where they go,
 * and the INFO memory delta), after more jobs than KEEP_COMPLETED_COUNT to show retention bounds it.
 * Each job makes a create call and one status check (the generation takes 5 ms, checked after 10 ms),
 * so its data and log are those of a finished generation. Measured twice, each on its own queue: with
 * Redis's default `hash-max-listpack-value` (64), then with 1,024 (a server setting, see the README).
 */
export async function footprint(options: BenchOptions): Promise<ScenarioResult> {
  const total = size(options, 400, 2_000);
  // A quarter of the jobs are kept: the rest shows that retention bounds the footprint.
  const keep = Math.max(1, Math.floor(total / 4));
  const redis = await privateRedis();
  const sim = await startSimulator({ generationMs: 5, maxGenerations: total * 4 });
  try {
    const base = await measure(redis.url, redis.redis, sim.url, total, keep, DEFAULT_LISTPACK_VALUE);
    const tuned = await measure(redis.url, redis.redis, sim.url, total, keep, TUNED_LISTPACK_VALUE);
    options.log(
      `  ${total} jobs run twice, ${base.kept} and ${tuned.kept} kept (KEEP_COMPLETED_COUNT=${keep})`,
    );
    const b = (x: number) => `${x.toFixed(0)} B`;
    const rows: Row[] = [
      {
        metric: 'bytes per kept finished job (MEMORY USAGE: hash + log list + completed-set entry)',
        value: b(base.perJob),
        target: '≤ 2048 B',
        ok: base.perJob <= 2048,
      },
      { metric: '  of which', value: parts(base, b) },
      { metric: '  one job hash, field sizes (HSTRLEN)', value: base.fields },
      {
        metric: `  the same with hash-max-listpack-value ${TUNED_LISTPACK_VALUE} (Redis setting)`,
        value: `${b(tuned.perJob)}: ${parts(tuned, b)}`,
      },
      {
        metric: "BullMQ's event stream (capped, not per kept job)",
        value: `${base.events.length} entries, ${b(base.events.bytes)}`,
        reference: `${(base.events.added / total).toFixed(1)} entries written per job`,
      },
      {
        metric: 'bytes per kept job, INFO used_memory delta (includes the stream)',
        value: b(base.infoPerJob),
      },
      {
        metric: `completed jobs kept after ${total}`,
        value: String(base.kept),
        target: `= ${keep}`,
        ok: base.kept === keep,
      },
      {
        metric: `used_memory growth per job beyond the first ${keep}`,
        value: b(base.grewPerExtraJob),
        reference: `${b(base.infoPerJob)} per kept job`,
      },
      {
        metric: "vidqueue's own keys (metrics, learned times)",
        value: `${base.ownKeys} keys, ${base.ownBytes} B; ${base.ownPerJob} per job`,
      },
    ];
    const figures = (f: Footprint, tag: string) =>
      Object.fromEntries(
        Object.entries(f).map(([k, v]) => [`${tag}${k}`, typeof v === 'object' ? JSON.stringify(v) : v]),
      );
    return {
      name: 'footprint',
      title: `Redis footprint: ${total} finished jobs with KEEP_COMPLETED_COUNT=${keep}`,
      params: { total, keep },
      rows,
      figures: { total, keep, ...figures(base, ''), ...figures(tuned, `listpack_${TUNED_LISTPACK_VALUE}_`) },
      notes: [
        "bytes per kept job: MEMORY USAGE (SAMPLES 0) of every kept job's hash and `:logs` list and of the completed set, summed and divided by the jobs kept, after all jobs ran. The INFO delta (first jobs kept) also counts their share of BullMQ's event stream, which BullMQ trims to about `streams.events.maxLen` entries whatever the number of jobs kept; with the default KEEP_COMPLETED_COUNT (100,000) its share is a few bytes per job.",
        `a job hash whose largest value (data, returnvalue, opts) exceeds hash-max-listpack-value (Redis default ${DEFAULT_LISTPACK_VALUE}) is stored as a hash table, with a per-field overhead; at ${TUNED_LISTPACK_VALUE} it stays a listpack.`,
      ],
    };
  } finally {
    await teardown({ sim, redis });
  }
}

function parts(f: Footprint, b: (x: number) => string): string {
  return `hash ${b(f.hashPerJob)}, log list ${b(f.logsPerJob)} (${f.logLines.toFixed(1)} lines), set ${b(f.setPerJob)}`;
}

/** One run on its own queue: `total` jobs through one worker, `keep` kept; where the kept jobs' bytes go. */
async function measure(
  redisUrl: string,
  redis: Redis,
  simUrl: string,
  total: number,
  keep: number,
  listpackValue: number,
) {
  await redis.call('CONFIG', 'SET', 'hash-max-listpack-value', String(listpackValue));
  const prefix = uniq('mem');
  const env = { KEEP_COMPLETED_COUNT: String(keep) };
  const queue = queueFor(
    redis,
    benchConfig({ REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, AIMLAPI_BASE_URL: simUrl, ...env }),
  );
  const child = spawnTs(
    WORKER_SCRIPT,
    workerEnv(redisUrl, prefix, simUrl, {
      ...env,
      WORKER_CONCURRENCY: '50',
      STATUS_SCHEDULE: 'fixed',
      STATUS_FIRST_CHECK_MS: '10',
      STATUS_INTERVAL_MS: '100',
    }),
  );
  const idle = async (n: number) => {
    await until(
      `${n} completions`,
      async () => {
        const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        const completed = (await readMetrics(redis, prefix)).events.completed ?? 0;
        return completed >= n && Object.values(c).every((v) => v === 0);
      },
      10 * 60_000,
      50,
    );
  };
  try {
    await workerReady(queue, child);
    const base = await usedMemory(redis);
    await enqueue(queue, keep, 'footprint');
    await idle(keep);
    const afterKeep = await usedMemory(redis);
    await enqueue(queue, total - keep, 'footprint-more');
    await idle(total);
    const afterAll = await usedMemory(redis);
    const kept = (await queue.getJobCounts('completed')).completed ?? 0;
    // Every kept job's own keys (hash, log list) and its entry in the completed set.
    const qualified = `${prefix}:generations`;
    const ids = await redis.zrange(`${qualified}:completed`, 0, -1);
    const bytes = await jobKeyBytes(
      redis,
      ids.map((id) => `${qualified}:${id}`),
    );
    const setBytes = await memoryUsage(redis, `${qualified}:completed`);
    const n = Math.max(1, ids.length);
    const fields = ids[0] ? await hashFieldBytes(redis, `${qualified}:${ids[0]}`) : [];
    const ours = await redis.keys(`${prefix}:vidq:*`);
    let ownBytes = 0;
    for (const key of ours) ownBytes += await memoryUsage(redis, key);
    return {
      kept,
      perJob: (bytes.hash + bytes.logs + setBytes) / n,
      hashPerJob: bytes.hash / n,
      logsPerJob: bytes.logs / n,
      logLines: bytes.logLines / n,
      setPerJob: setBytes / n,
      fields: fields.map(([f, len]) => `${f} ${len}`).join(', '),
      events: await streamBytes(redis, `${qualified}:events`),
      infoPerJob: (afterKeep - base) / keep,
      grewPerExtraJob: (afterAll - afterKeep) / (total - keep),
      ownKeys: ours.length,
      ownBytes,
      ownPerJob: ours.filter((k) => ids.some((id) => k.includes(id))).length,
    };
  } finally {
    await teardown({ child, queues: [queue] });
    await redis.call('CONFIG', 'SET', 'hash-max-listpack-value', String(DEFAULT_LISTPACK_VALUE));
  }
}
