import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFailure } from '@vidqueue/core/contract';
import { createGenerationQueue } from '@vidqueue/core/store';
import { createRedis } from '@vidqueue/core/runtime';
import { startLocalRedis, type LocalRedis } from '@vidqueue/redis-server';
import { startSimulator } from '@vidqueue/simulator';
import { dumpKeys } from '@vidqueue/testkit';
import { API_MAIN, WORKER_CHILD } from './entry-points.js';
import type { ChaosOptions } from './options.js';
import { spawnChild, type ChildHandle } from './processes.js';
import { submitAll, type SubmitStats } from './submit.js';

const QUEUE_PREFIX = 'chaos';

export type ChaosReport = {
  ok: boolean;
  /** Why `ok` is false, one line each. */
  problems: string[];
  scenario: Omit<ChaosOptions, 'json'>;
  prompts: number;
  accepted: number;
  completed: number;
  failed: number;
  failed_by_reason: Record<string, number>;
  /** Up to three failure messages per reason. */
  failure_examples: Record<string, string[]>;
  /** Prompts that did not end completed, or failed with a reason: must be 0. */
  lost: number;
  lost_examples: string[];
  duplicate_creates: {
    total: number;
    /** Extra creates of jobs flagged possible_duplicate or failed submission_unknown. */
    flagged: number;
    /** Extra creates nobody was told about: must be 0. */
    unflagged: number;
    unflagged_prompts: string[];
  };
  provider_calls: {
    create_requests: number;
    creates: number;
    status_checks: number;
    faults: Record<string, number>;
  };
  chaos: { worker_kills: number; redis_restarts: number };
  api: SubmitStats;
  /** Secrets (provider key, API token, dashboard password) found in a log line or a Redis key/value. */
  secrets_found: string[];
  /** Log lines (every process logs at info) that contain a prompt. */
  prompt_log_lines: number;
  wall_ms: number;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs one chaos scenario end to end and reports what happened. Never leaves a process behind. */
export async function runChaos(options: ChaosOptions, say: (line: string) => void): Promise<ChaosReport> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const runId = randomBytes(4).toString('hex');
  const secrets = {
    AIMLAPI_KEY: `sk-chaos-${randomBytes(12).toString('hex')}`,
    API_TOKENS: `tok-chaos-${randomBytes(12).toString('hex')}`,
    DASHBOARD_PASSWORD: `pw-chaos-${randomBytes(12).toString('hex')}`,
  };
  const marker = `cx${runId}`;
  const prompts = Array.from(
    { length: options.prompts },
    (_, i) => `${marker} #${i}: a paper boat on a stormy sea, wide shot`,
  );
  const logLines: string[] = [];
  const onLine = (name: string, line: string) => logLines.push(`${name} ${line}`);
  const dir = mkdtempSync(join(tmpdir(), 'vidq-chaos-'));
  const redisDir = join(dir, 'redis');
  const cleanups: (() => Promise<void>)[] = [];
  let finished = false;
  const background: Promise<void>[] = [];

  try {
    let redis: LocalRedis = await startLocalRedis({ dir: redisDir, appendOnly: true });
    cleanups.push(() => redis.stop());
    const [genMin = 2_000] = options.generationMs.split('-').map(Number);
    const sim = await startSimulator({
      apiKeys: [secrets.AIMLAPI_KEY],
      generationMs: options.generationMs,
      faults: {
        server_error: options.faults.serverError,
        rate_limit: options.faults.rateLimit,
        drop: options.faults.drop,
      },
      createFaults: { fail: options.faults.fail },
      retryAfterSeconds: 1,
      ...(options.seed !== undefined && { seed: options.seed }),
    });
    cleanups.push(() => sim.close());
    say(`redis ${redis.url} (append-only, ${redisDir}); simulator ${sim.url}`);

    const env: Record<string, string> = {
      REDIS_URL: redis.url,
      QUEUE_PREFIX,
      LOG_LEVEL: 'info',
      AIMLAPI_KEY: secrets.AIMLAPI_KEY,
      AIMLAPI_BASE_URL: sim.url,
      AIMLAPI_TIMEOUT_MS: '5000',
      STATUS_FIRST_CHECK_MS: String(genMin),
      STATUS_INTERVAL_MS: String(Math.max(200, Math.round(genMin / 2))),
      RETRY_BASE_MS: '200',
      RETRY_MAX_MS: '2000',
      GENERATION_DEADLINE_MS: '120000',
      WORKER_CONCURRENCY: '50',
      UNKNOWN_OUTCOME_POLICY: options.policy,
    };
    const api = spawnChild(
      'api',
      API_MAIN,
      {
        ...env,
        PORT: '0',
        API_TOKENS: secrets.API_TOKENS,
        DASHBOARD_PASSWORD: secrets.DASHBOARD_PASSWORD,
      },
      onLine,
    );
    cleanups.push(() => api.stop(5_000));
    const apiUrl = String((await api.waitFor('api ready', 60_000)).url);

    let workerCount = 0;
    const startWorkerChild = async (): Promise<ChildHandle> => {
      const child = spawnChild(`worker-${++workerCount}`, WORKER_CHILD, env, onLine);
      await child.waitFor('worker ready', 60_000);
      return child;
    };
    const workers = await Promise.all(Array.from({ length: options.workers }, startWorkerChild));
    cleanups.push(async () => {
      await Promise.all(workers.map((w) => w.stop(10_000)));
    });
    say(`api ${apiUrl}; ${workers.length} worker processes; submitting ${options.prompts} prompts`);

    const connection = createRedis(redis.url, 'worker');
    connection.on('error', () => undefined);
    const queue = createGenerationQueue(connection, {
      QUEUE_PREFIX,
      KEEP_COMPLETED_SECONDS: 86_400,
      KEEP_COMPLETED_COUNT: 1_000_000,
      KEEP_FAILED_SECONDS: 86_400,
    });
    queue.on('error', () => undefined);
    cleanups.push(async () => {
      await queue.close();
      connection.disconnect();
    });

    // Progress is (accepted + finished) / 2N. Kill k happens at a random point of the k-th of K+1
    // equal stretches of progress, so every kill lands while there is work, whatever the speed of the
    // machine; Redis restarts as the submissions pass each (r+1)/(R+1) mark.
    let accepted = 0;
    let done = 0;
    const progress = () => (accepted + done) / (2 * options.prompts);
    const poller = (async () => {
      while (!finished) {
        const counts = await queue.getJobCounts('completed', 'failed');
        done = (counts.completed ?? 0) + (counts.failed ?? 0);
        await sleep(200);
      }
    })();
    const chaos = { worker_kills: 0, redis_restarts: 0 };
    const ready = new Set<ChildHandle>(workers);
    const killer = (async () => {
      for (let k = 0; k < options.kills && !finished; k++) {
        const mark = (k + 0.3 + 0.7 * Math.random()) / (options.kills + 1);
        while (progress() < mark && !finished) await sleep(50);
        if (finished) break;
        // A worker that is up, if any (a new one may still be starting).
        const up = workers.flatMap((w, i) => (ready.has(w) ? [i] : []));
        const pool = up.length > 0 ? up : workers.map((_, i) => i);
        const slot = pool[Math.floor(Math.random() * pool.length)]!;
        const victim = workers[slot]!;
        await victim.kill();
        ready.delete(victim);
        chaos.worker_kills += 1;
        say(`SIGKILL ${victim.name} (${chaos.worker_kills}/${options.kills})`);
        const next = spawnChild(`worker-${++workerCount}`, WORKER_CHILD, env, onLine);
        workers[slot] = next;
        next.waitFor('worker ready', 120_000).then(
          () => ready.add(next),
          () => undefined,
        );
      }
    })();
    const restarter = (async () => {
      while (chaos.redis_restarts < options.redisRestarts && !finished) {
        const mark = ((chaos.redis_restarts + 1) / (options.redisRestarts + 1)) * options.prompts;
        if (accepted < mark) {
          await sleep(50);
          continue;
        }
        await redis.stop();
        say(`redis stopped (SIGTERM) for ${options.redisDownMs} ms`);
        await sleep(options.redisDownMs);
        redis = await startLocalRedis({ dir: redisDir, appendOnly: true, port: redis.port });
        chaos.redis_restarts += 1;
        say(
          `redis started again on the same port and data folder (${chaos.redis_restarts}/${options.redisRestarts})`,
        );
      }
    })();
    background.push(poller, killer, restarter);

    const { ids, stats: apiStats } = await submitAll({
      apiUrl,
      token: secrets.API_TOKENS,
      prompts,
      concurrency: options.concurrency,
      keyPrefix: `chaos-${runId}`,
      deadline,
      onAccepted: () => {
        accepted += 1;
      },
    });
    say(`accepted ${accepted}/${options.prompts} (503 retried: ${apiStats.unavailable})`);
    // Use the credentials once each (dashboard, a wrong token) so the scan below has something to find.
    const dashboard = await fetch(`${apiUrl}/admin/queues/api/queues`, {
      headers: {
        authorization: `Basic ${Buffer.from(`admin:${secrets.DASHBOARD_PASSWORD}`).toString('base64')}`,
      },
    });
    const wrongToken = await fetch(`${apiUrl}/v1/models`, {
      headers: { authorization: `Bearer ${secrets.API_TOKENS}x` },
    });
    if (dashboard.status !== 200 || wrongToken.status !== 401) {
      throw new Error(`dashboard answered ${dashboard.status}, a wrong token ${wrongToken.status}`);
    }

    // Wait until every accepted job is completed or failed.
    let lastSaid = 0;
    for (;;) {
      const counts = await queue.getJobCounts('completed', 'failed');
      const done = (counts.completed ?? 0) + (counts.failed ?? 0);
      if (done >= accepted || Date.now() >= deadline) break;
      if (Date.now() - lastSaid > 5_000) {
        say(`${done}/${accepted} finished`);
        lastSaid = Date.now();
      }
      await sleep(250);
    }
    finished = true;
    await Promise.all(background);
    const wallMs = Date.now() - started;

    // The truth, per prompt, from the API.
    const views = await readViews(apiUrl, secrets.API_TOKENS, ids, options.concurrency);
    const failedByReason: Record<string, number> = {};
    const failureExamples: Record<string, string[]> = {};
    const lostExamples: string[] = [];
    let completed = 0;
    let failed = 0;
    views.forEach((view, i) => {
      if (view?.status === 'completed' && view.video_url) completed += 1;
      else if (view?.status === 'failed' && view.error?.code) {
        failed += 1;
        failedByReason[view.error.code] = (failedByReason[view.error.code] ?? 0) + 1;
        const examples = (failureExamples[view.error.code] ??= []);
        if (examples.length < 3) examples.push(view.error.message ?? '');
      } else lostExamples.push(`#${i} ${ids[i] ?? '(never accepted)'}: ${view?.status ?? 'unknown'}`);
    });

    // Duplicate creates: prompts the simulator created more than once.
    const simStats = sim.stats();
    const byIndex = new Map(prompts.map((p, i) => [p, i]));
    let total = 0;
    let flagged = 0;
    const unflaggedPrompts: string[] = [];
    for (const [prompt, s] of Object.entries(simStats.by_prompt)) {
      if (s.creates <= 1) continue;
      const extra = s.creates - 1;
      total += extra;
      const index = byIndex.get(prompt);
      const id = index === undefined ? undefined : ids[index];
      const job = id === undefined ? undefined : await queue.getJob(id);
      const flag =
        job !== undefined &&
        (job.returnvalue?.possibleDuplicate === true ||
          job.data.possibleDuplicate === true ||
          parseFailure(job.failedReason).code === 'submission_unknown');
      if (flag) flagged += extra;
      else unflaggedPrompts.push(`#${index ?? '?'} ${id ?? ''} (${s.creates} creates)`);
    }

    // Every key and value in Redis, and every log line of every process, searched for the secrets.
    const redisText = await dumpKeys(connection, '*');
    const logText = logLines.join('\n');
    const secretsFound: string[] = [];
    for (const [name, value] of Object.entries(secrets)) {
      if (logText.includes(value)) secretsFound.push(`${name} in the logs`);
      if (redisText.includes(value)) secretsFound.push(`${name} in Redis`);
    }
    const promptLogLines = logLines.filter((l) => l.includes(marker)).length;

    const lost = lostExamples.length;
    const unflagged = total - flagged;
    const problems = [
      ...(chaos.worker_kills < options.kills
        ? [`only ${chaos.worker_kills} of ${options.kills} kills happened before the run ended`]
        : []),
      ...(chaos.redis_restarts < options.redisRestarts
        ? [`only ${chaos.redis_restarts} of ${options.redisRestarts} Redis restarts happened`]
        : []),
      ...(lost > 0 ? [`${lost} prompts lost`] : []),
      ...(unflagged > 0 ? [`${unflagged} duplicate creates without a flag`] : []),
      ...secretsFound.map((s) => `secret leaked: ${s}`),
      ...(promptLogLines > 0 ? [`${promptLogLines} log lines at info contain a prompt`] : []),
    ];
    const { json: _json, ...scenario } = options;
    return {
      ok: problems.length === 0,
      problems,
      scenario,
      prompts: options.prompts,
      accepted,
      completed,
      failed,
      failed_by_reason: failedByReason,
      failure_examples: failureExamples,
      lost,
      lost_examples: lostExamples.slice(0, 20),
      duplicate_creates: { total, flagged, unflagged, unflagged_prompts: unflaggedPrompts.slice(0, 20) },
      provider_calls: {
        create_requests: simStats.create_requests,
        creates: simStats.creates,
        status_checks: simStats.status_checks,
        faults: simStats.faults,
      },
      chaos,
      api: apiStats,
      secrets_found: secretsFound,
      prompt_log_lines: promptLogLines,
      wall_ms: wallMs,
    };
  } finally {
    finished = true;
    await Promise.allSettled(background);
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((err: unknown) => say(`cleanup: ${String(err)}`));
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

type View = {
  status?: string;
  video_url?: string | null;
  error?: { code?: string; message?: string } | null;
};

/** GET /v1/videos/:id for every accepted prompt (undefined for those never accepted). */
async function readViews(
  apiUrl: string,
  token: string,
  ids: readonly (string | undefined)[],
  concurrency: number,
): Promise<(View | undefined)[]> {
  const views: (View | undefined)[] = Array.from({ length: ids.length });
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < ids.length) {
        const i = next++;
        const id = ids[i];
        if (id === undefined) continue;
        for (let attempt = 0; attempt < 20; attempt++) {
          const res = await fetch(`${apiUrl}/v1/videos/${id}`, {
            headers: { authorization: `Bearer ${token}` },
          }).catch(() => undefined);
          if (res?.status === 200 || res?.status === 404) {
            views[i] = res.status === 200 ? ((await res.json()) as View) : { status: 'not_found' };
            break;
          }
          await sleep(250);
        }
      }
    }),
  );
  return views;
}
