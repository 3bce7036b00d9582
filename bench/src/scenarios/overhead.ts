import type { Redis } from 'ioredis';
import { startSimulator } from '@vidqueue/simulator';
import { size, uniq } from '../util.js';
import {
  REFERENCE_SCRIPT,
  WORKER_SCRIPT,
  ZERO_TIME,
  atOnceSchedule,
  commandStats,
  allFinished,
  benchConfig,
  enqueue,
  privateRedis,
  queueFor,
  spawnTs,
  teardown,
  workerEnv,
  workerReady,
  type Child,
} from '../env.js';
import type { BenchOptions, ScenarioResult } from '../types.js';

const CONCURRENCY = 50;
const { generationMs: GENERATION_MS, checkDelayMs: CHECK_DELAY_MS } = ZERO_TIME;

/** Who runs: vidqueue's worker, or the raw-BullMQ reference with global fetch or undici's request. */
type Kind = 'vidqueue' | 'reference' | 'reference-request';

/**
 * Orchestration overhead: the simulator answers at once (zero generation time); completed videos
 * per second of one vidqueue worker process against the raw-BullMQ reference worker process doing
 * the same create → delayed check → complete cycle, same Redis, same simulator, same job options and
 * retention. The target is against the reference as the simplest worker is written (global fetch);
 * a second reference with vidqueue's own HTTP client (undici's request) shows orchestration alone.
 */
export async function overhead(options: BenchOptions): Promise<ScenarioResult> {
  const jobs = size(options, 300, 3_000);
  const redis = await privateRedis();
  const sim = await startSimulator({ generationMs: GENERATION_MS, maxGenerations: jobs * 3 });
  try {
    const run = async (kind: Kind) => {
      const prefix = uniq(kind === 'vidqueue' ? 'ov-vq' : 'ov-ref');
      const config = benchConfig({
        REDIS_URL: redis.url,
        QUEUE_PREFIX: prefix,
        AIMLAPI_BASE_URL: sim.url,
      });
      const queue = queueFor(redis.redis, config);
      // Fixed schedule, first check at once: the same cycle as the reference.
      const env = workerEnv(redis.url, prefix, sim.url, {
        ...atOnceSchedule(CONCURRENCY),
        ...(kind === 'reference-request' && { REFERENCE_HTTP: 'request' }),
      });
      const child: Child = spawnTs(kind === 'vidqueue' ? WORKER_SCRIPT : REFERENCE_SCRIPT, env);
      try {
        await workerReady(queue, child);
        const cpuBefore = child.usage().cpuMs;
        const simBefore = sim.stats();
        const commandsBefore = await commandCounts(redis.redis);
        const started = performance.now();
        await enqueue(queue, jobs, kind);
        const counts = await allFinished(queue, jobs, 300_000, child);
        const seconds = (performance.now() - started) / 1000;
        const usage = child.usage();
        const simAfter = sim.stats();
        const commands = diffCounts(commandsBefore, await commandCounts(redis.redis));
        options.log(`  ${kind}: ${jobs} jobs in ${seconds.toFixed(2)} s (${counts.failed} failed)`);
        return {
          perSecond: counts.completed / seconds,
          failed: counts.failed,
          cpuMsPerJob: (usage.cpuMs - cpuBefore) / jobs,
          peakRssBytes: usage.peakRssBytes,
          createsPerJob: (simAfter.creates - simBefore.creates) / jobs,
          checksPerJob: (simAfter.status_checks - simBefore.status_checks) / jobs,
          commandsPerJob: commands.total / jobs,
          topCommands: commands.top.map(([name, n]) => `${name} ${(n / jobs).toFixed(2)}`).join(', '),
        };
      } finally {
        await teardown({ child, queues: [queue] });
      }
    };
    // The references before and after ours, in mirror order: each reference's rate is the average of
    // its two runs, so warm-up effects (JIT, Redis) and a change in machine load favour no side.
    const ref1 = await run('reference');
    const same1 = await run('reference-request');
    const ours = await run('vidqueue');
    const same2 = await run('reference-request');
    const ref2 = await run('reference');
    const refRate = (ref1.perSecond + ref2.perSecond) / 2;
    const ratio = ours.perSecond / refRate;
    const sameRate = (same1.perSecond + same2.perSecond) / 2;
    const sameRatio = ours.perSecond / sameRate;
    const sameCpu = (same1.cpuMsPerJob + same2.cpuMsPerJob) / 2;
    return {
      name: 'overhead',
      title: 'Orchestration overhead (near-zero generation time, one worker process each)',
      params: {
        jobs,
        concurrency: CONCURRENCY,
        generation_ms: GENERATION_MS,
        check_after_ms: CHECK_DELAY_MS,
      },
      rows: [
        {
          metric: 'completed videos/s',
          value: ours.perSecond.toFixed(0),
          reference: `${refRate.toFixed(0)} (raw BullMQ: ${ref1.perSecond.toFixed(0)}, ${ref2.perSecond.toFixed(0)})`,
        },
        { metric: 'ratio vidqueue / reference', value: ratio.toFixed(2), target: '≥ 0.9', ok: ratio >= 0.9 },
        {
          metric: 'worker CPU ms per video',
          value: ours.cpuMsPerJob.toFixed(2),
          reference: ((ref1.cpuMsPerJob + ref2.cpuMsPerJob) / 2).toFixed(2),
        },
        {
          metric: 'same HTTP client (undici request): videos/s',
          value: ours.perSecond.toFixed(0),
          reference: `${sameRate.toFixed(0)} (${same1.perSecond.toFixed(0)}, ${same2.perSecond.toFixed(0)})`,
        },
        { metric: 'same HTTP client: ratio (orchestration alone)', value: sameRatio.toFixed(2) },
        {
          metric: 'same HTTP client: worker CPU ms per video',
          value: ours.cpuMsPerJob.toFixed(2),
          reference: sameCpu.toFixed(2),
        },
        {
          metric: 'provider calls per video (create + status)',
          value: `${ours.createsPerJob.toFixed(2)} + ${ours.checksPerJob.toFixed(2)}`,
          reference: `${ref1.createsPerJob.toFixed(2)} + ${ref1.checksPerJob.toFixed(2)}`,
        },
        {
          metric: 'Redis commands per video (all clients)',
          value: ours.commandsPerJob.toFixed(1),
          reference: ((ref1.commandsPerJob + ref2.commandsPerJob) / 2).toFixed(1),
        },
        { metric: 'failed jobs', value: String(ours.failed), reference: String(ref1.failed + ref2.failed) },
      ],
      figures: {
        jobs,
        vidqueue_per_s: ours.perSecond,
        reference_per_s: refRate,
        reference_runs_per_s: `${ref1.perSecond},${ref2.perSecond}`,
        ratio,
        vidqueue_cpu_ms_per_job: ours.cpuMsPerJob,
        vidqueue_calls_per_job: ours.createsPerJob + ours.checksPerJob,
        reference_calls_per_job: ref1.createsPerJob + ref1.checksPerJob,
        reference_cpu_ms_per_job: (ref1.cpuMsPerJob + ref2.cpuMsPerJob) / 2,
        same_client_reference_per_s: sameRate,
        same_client_ratio: sameRatio,
        same_client_reference_cpu_ms_per_job: sameCpu,
        vidqueue_redis_commands_per_job: ours.commandsPerJob,
        reference_redis_commands_per_job: (ref1.commandsPerJob + ref2.commandsPerJob) / 2,
        vidqueue_top_commands_per_job: ours.topCommands,
        reference_top_commands_per_job: ref1.topCommands,
      },
      notes: [
        `Redis commands per video, most frequent: vidqueue ${ours.topCommands}; reference ${ref1.topCommands} (EVALSHA counts each script once, whatever it does inside; the counts include the bench's own polling, the same for both).`,
        "The reference calls the provider with Node's global fetch, as the simplest worker would; vidqueue's provider client uses undici's request (the HTTP/1.1 client under fetch, without its WHATWG objects). The 'same HTTP client' rows run the reference with undici's request too: the gap there is orchestration alone.",
        "vidqueue does per job what the reference skips: input validation, persisted steps (the lock-guarded `submitting` mark before the create), cancel, account-pause, back-off and model-block checks (one EXISTS per run when none is set), metrics and learned-duration hooks (buffered, written once a second). Both apply the same retention when a job finishes (KEEP_COMPLETED_*, BullMQ's removeOnComplete). Routine job log lines are off by default (JOB_LOG=events).",
      ],
    };
  } finally {
    await teardown({ sim, redis });
  }
}

type CommandCounts = Map<string, number>;

/** Calls per command from `INFO commandstats` (scripts count once, as `evalsha`). */
async function commandCounts(redis: Redis): Promise<CommandCounts> {
  return commandStats(await redis.info('commandstats'));
}

function diffCounts(before: CommandCounts, after: CommandCounts): { total: number; top: [string, number][] } {
  const diff: [string, number][] = [];
  for (const [name, n] of after) {
    const d = n - (before.get(name) ?? 0);
    if (d > 0 && name !== 'info') diff.push([name, d]);
  }
  diff.sort((a, b) => b[1] - a[1]);
  return { total: diff.reduce((sum, [, n]) => sum + n, 0), top: diff.slice(0, 6) };
}
