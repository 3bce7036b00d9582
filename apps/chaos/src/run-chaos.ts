import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dumpKeys } from '@vidqueue/testkit';
import { readMetrics } from '@vidqueue/core/runtime';
import { startChaosStack, type ChaosSecrets } from './chaos-stack.js';
import { startDisruptions, type Disruptions, type Progress } from './disruptions.js';
import { readThroughOutage } from './harness-read.js';
import type { ChaosOptions } from './options.js';
import { countDuplicateCreates, countReconciled, findSecrets, readViews, tallyEndings } from './outcomes.js';
import { listProblems, type ChaosReport } from './report.js';
import { submitAll } from './submit.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs one chaos scenario end to end and reports what happened: starts the stack (chaos-stack.ts),
 * submits every prompt through the API while workers are killed and Redis restarts (disruptions.ts),
 * waits for every job to end, then judges the end state (outcomes.ts). Never leaves a process behind.
 */
export async function runChaos(options: ChaosOptions, say: (line: string) => void): Promise<ChaosReport> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const runId = randomBytes(4).toString('hex');
  const secrets: ChaosSecrets = {
    AIMLAPI_KEY: `sk-chaos-${randomBytes(12).toString('hex')}`,
    API_TOKENS: `tok-chaos-${randomBytes(12).toString('hex')}`,
    DASHBOARD_PASSWORD: `pw-chaos-${randomBytes(12).toString('hex')}`,
  };
  // Every prompt carries the run's marker, so a log line holding a prompt is easy to find.
  const marker = `cx${runId}`;
  const prompts = Array.from(
    { length: options.prompts },
    (_, i) => `${marker} #${i}: a paper boat on a stormy sea, wide shot`,
  );
  const logLines: string[] = [];
  const onLine = (name: string, line: string) => logLines.push(`${name} ${line}`);
  const dir = mkdtempSync(join(tmpdir(), 'vidq-chaos-'));
  const cleanups: (() => Promise<void>)[] = [];
  let disruptions: Disruptions | undefined;

  try {
    const stack = await startChaosStack({ options, secrets, dir, onLine, cleanups, say });
    const { apiUrl, queue } = stack;
    say(`api ${apiUrl}; ${stack.workers.length} worker processes; submitting ${options.prompts} prompts`);

    const progress: Progress = { accepted: 0, done: 0 };
    disruptions = startDisruptions({ stack, options, progress, say });
    const { ids, stats: apiStats } = await submitAll({
      apiUrl,
      token: secrets.API_TOKENS,
      prompts,
      concurrency: options.concurrency,
      keyPrefix: `chaos-${runId}`,
      deadline,
      onAccepted: () => {
        progress.accepted += 1;
      },
    });
    const { accepted } = progress;
    say(`accepted ${accepted}/${options.prompts} (503 retried: ${apiStats.unavailable})`);
    await useCredentials(apiUrl, secrets);

    // Wait until every accepted job is completed or failed.
    let lastSaid = 0;
    for (;;) {
      const counts = await readThroughOutage(
        'job counts',
        () => queue.getJobCounts('completed', 'failed'),
        deadline,
        say,
      );
      const done = (counts.completed ?? 0) + (counts.failed ?? 0);
      if (done >= accepted || Date.now() >= deadline) break;
      if (Date.now() - lastSaid > 5_000) {
        say(`${done}/${accepted} finished`);
        lastSaid = Date.now();
      }
      await sleep(250);
    }
    await disruptions.stop();
    const wallMs = Date.now() - started;

    // The truth, per prompt, from the API; duplicates from the simulator; secrets from everywhere.
    const endings = tallyEndings(await readViews(apiUrl, secrets.API_TOKENS, ids, options.concurrency), ids);
    const simStats = stack.sim.stats();
    const duplicates = await countDuplicateCreates(simStats.by_prompt, prompts, ids, queue);
    const reconciled = await countReconciled(queue, ids);
    const { calls } = await readMetrics(stack.connection, stack.prefix);
    const logsRequests = calls.filter((c) => c.kind === 'logs').reduce((sum, c) => sum + c.count, 0);
    const secretsFound = findSecrets(secrets, logLines.join('\n'), await dumpKeys(stack.connection, '*'));

    const { json: _json, ...scenario } = options;
    const report: Omit<ChaosReport, 'ok' | 'problems'> = {
      scenario,
      prompts: options.prompts,
      accepted,
      completed: endings.completed,
      failed: endings.failed,
      failed_by_reason: endings.failedByReason,
      failure_examples: endings.failureExamples,
      lost: endings.lostExamples.length,
      lost_examples: endings.lostExamples.slice(0, 20),
      duplicate_creates: {
        total: duplicates.total,
        flagged: duplicates.flagged,
        unflagged: duplicates.total - duplicates.flagged,
        unflagged_prompts: duplicates.unflaggedPrompts.slice(0, 20),
      },
      provider_calls: {
        create_requests: simStats.create_requests,
        creates: simStats.creates,
        status_checks: simStats.status_checks,
        logs_requests: logsRequests,
        faults: simStats.faults,
      },
      reconciled: {
        unknown_outcomes: reconciled.unknownOutcomes,
        recovered: reconciled.recovered,
        not_created: reconciled.notCreated,
      },
      chaos: disruptions.counts,
      api: apiStats,
      secrets_found: secretsFound,
      prompt_log_lines: logLines.filter((l) => l.includes(marker)).length,
      wall_ms: wallMs,
    };
    const problems = listProblems(report, options);
    return { ok: problems.length === 0, problems, ...report };
  } finally {
    await disruptions?.stop().catch(() => undefined);
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((err: unknown) => say(`cleanup: ${String(err)}`));
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Uses the credentials once each (dashboard, a wrong token), so the secret scan has something to find. */
async function useCredentials(apiUrl: string, secrets: ChaosSecrets): Promise<void> {
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
}
