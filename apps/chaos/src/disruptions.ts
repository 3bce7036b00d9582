import type { ChaosStack } from './chaos-stack.js';
import { readThroughOutage } from './harness-read.js';
import type { ChaosOptions } from './options.js';
import type { ChildHandle } from './processes.js';

/** How far the run is: prompts the API accepted (counted by the submitter), jobs finished (polled here). */
export type Progress = { accepted: number; done: number };

export type ChaosCounts = { worker_kills: number; redis_restarts: number };

export type Disruptions = {
  /** What happened so far. */
  counts: ChaosCounts;
  /** Ends the loops (no further kill or restart) and waits for all of them; then rejects if one failed. */
  stop(): Promise<void>;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The chaos itself, in the background while prompts go in and jobs finish. Progress is
 * (accepted + finished) / 2N. Kill k happens at a random point of the k-th of K+1 equal stretches of
 * progress, so every kill lands while there is work, whatever the speed of the machine; each killed
 * worker is replaced in its slot at once. Redis restarts as the submissions pass each (r+1)/(R+1) mark.
 */
export function startDisruptions(deps: {
  stack: ChaosStack;
  options: ChaosOptions;
  progress: Progress;
  say: (line: string) => void;
}): Disruptions {
  const { stack, options, progress, say } = deps;
  const counts: ChaosCounts = { worker_kills: 0, redis_restarts: 0 };
  let finished = false;
  const fraction = () => (progress.accepted + progress.done) / (2 * options.prompts);

  const poller = (async () => {
    while (!finished) {
      const jobs = await readThroughOutage(
        'job counts (progress)',
        () => stack.queue.getJobCounts('completed', 'failed'),
        Date.now() + options.timeoutMs,
        say,
      );
      progress.done = (jobs.completed ?? 0) + (jobs.failed ?? 0);
      await sleep(200);
    }
  })();

  const { workers } = stack;
  const ready = new Set<ChildHandle>(workers);
  const killer = (async () => {
    for (let k = 0; k < options.kills && !finished; k++) {
      const mark = (k + 0.3 + 0.7 * Math.random()) / (options.kills + 1);
      while (fraction() < mark && !finished) await sleep(50);
      if (finished) break;
      // A worker that is up, if any (a new one may still be starting).
      const up = workers.flatMap((w, i) => (ready.has(w) ? [i] : []));
      const pool = up.length > 0 ? up : workers.map((_, i) => i);
      const slot = pool[Math.floor(Math.random() * pool.length)]!;
      const victim = workers[slot]!;
      await victim.kill();
      ready.delete(victim);
      counts.worker_kills += 1;
      say(`SIGKILL ${victim.name} (${counts.worker_kills}/${options.kills})`);
      const next = stack.spawnWorker();
      workers[slot] = next;
      next.waitFor('worker ready', 120_000).then(
        () => ready.add(next),
        () => undefined,
      );
    }
  })();

  const restarter = (async () => {
    while (counts.redis_restarts < options.redisRestarts && !finished) {
      const mark = ((counts.redis_restarts + 1) / (options.redisRestarts + 1)) * options.prompts;
      if (progress.accepted < mark) {
        await sleep(50);
        continue;
      }
      // Said now: the line below comes only once the disruption is over (a failover takes seconds).
      say(`redis disruption ${counts.redis_restarts + 1}/${options.redisRestarts} begins`);
      const what = await stack.restartRedis(options.redisDownMs);
      counts.redis_restarts += 1;
      say(`${what} (${counts.redis_restarts}/${options.redisRestarts})`);
    }
  })();

  // A loop that fails ends the run through stop(), with cleanup: never as an unhandled rejection
  // that would kill the harness and leave its Redis, API and workers running.
  for (const loop of [poller, killer, restarter]) loop.catch(() => undefined);

  return {
    counts,
    async stop() {
      finished = true;
      const settled = await Promise.allSettled([poller, killer, restarter]);
      const failure = settled.find((r) => r.status === 'rejected');
      if (failure) throw failure.reason;
    },
  };
}
