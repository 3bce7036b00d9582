import type { ChaosCounts } from './disruptions.js';
import type { ChaosOptions } from './options.js';
import type { SubmitStats } from './submit.js';

/** What one chaos run found: the JSON figures `pnpm chaos` writes, and what the table shows. */
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
    /** GET /v2/logs calls the workers made (their metrics: a SIGKILLed worker's last second is missing). */
    logs_requests: number;
    faults: Record<string, number>;
  };
  /** Unknown create outcomes and how the usage logs settled them (from the jobs' own log lines). */
  reconciled: { unknown_outcomes: number; recovered: number; not_created: number };
  chaos: ChaosCounts;
  api: SubmitStats;
  /** Secrets (provider key, API token, dashboard password) found in a log line or a Redis key/value. */
  secrets_found: string[];
  /** Log lines (every process logs at info) that contain a prompt. */
  prompt_log_lines: number;
  wall_ms: number;
};

/** Why a run failed, one line each (none: it passed). */
export function listProblems(r: Omit<ChaosReport, 'ok' | 'problems'>, options: ChaosOptions): string[] {
  return [
    ...(r.chaos.worker_kills < options.kills
      ? [`only ${r.chaos.worker_kills} of ${options.kills} kills happened before the run ended`]
      : []),
    ...(r.chaos.redis_restarts < options.redisRestarts
      ? [`only ${r.chaos.redis_restarts} of ${options.redisRestarts} Redis restarts happened`]
      : []),
    ...(r.lost > 0 ? [`${r.lost} prompts lost`] : []),
    ...(r.duplicate_creates.unflagged > 0
      ? [`${r.duplicate_creates.unflagged} duplicate creates without a flag`]
      : []),
    // Reconciling settles every unknown outcome from the usage logs: no second create at all, and
    // nothing left as submission_unknown.
    ...(options.policy === 'reconcile' && r.duplicate_creates.flagged > 0
      ? [`${r.duplicate_creates.flagged} flagged duplicate creates under the reconcile policy`]
      : []),
    ...(options.policy === 'reconcile' && (r.failed_by_reason.submission_unknown ?? 0) > 0
      ? [
          `${r.failed_by_reason.submission_unknown} prompts ended submission_unknown under the reconcile policy`,
        ]
      : []),
    ...r.secrets_found.map((s) => `secret leaked: ${s}`),
    ...(r.prompt_log_lines > 0 ? [`${r.prompt_log_lines} log lines at info contain a prompt`] : []),
  ];
}

/** The report as an aligned two-column table. */
export function formatReport(r: ChaosReport): string {
  const rows: [string, string][] = [
    ['prompts', String(r.prompts)],
    ['accepted by the API', String(r.accepted)],
    ['completed', String(r.completed)],
    ['failed', String(r.failed)],
    ...Object.entries(r.failed_by_reason)
      .sort(([, a], [, b]) => b - a)
      .map(([code, n]): [string, string] => [`  failed: ${code}`, String(n)]),
    ['lost (must be 0)', String(r.lost)],
    [
      `duplicate creates${r.scenario.policy === 'reconcile' ? ' (must be 0)' : ''}`,
      String(r.duplicate_creates.total),
    ],
    ['  flagged (possible_duplicate / submission_unknown)', String(r.duplicate_creates.flagged)],
    ['  unflagged (must be 0)', String(r.duplicate_creates.unflagged)],
    ['provider calls: create', String(r.provider_calls.create_requests)],
    ['provider calls: status', String(r.provider_calls.status_checks)],
    ['provider calls: usage logs', String(r.provider_calls.logs_requests)],
    ['generations created', String(r.provider_calls.creates)],
    [
      'faults injected',
      Object.entries(r.provider_calls.faults)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ') || 'none',
    ],
    ['unknown create outcomes', String(r.reconciled.unknown_outcomes)],
    ['  recovered from the usage logs', String(r.reconciled.recovered)],
    ['  proven not created (created again)', String(r.reconciled.not_created)],
    ['worker SIGKILLs', String(r.chaos.worker_kills)],
    [r.scenario.cluster ? 'redis failovers' : 'redis restarts', String(r.chaos.redis_restarts)],
    ['queue shards (QUEUE_SHARDS)', String(r.scenario.shards)],
    ['API 503 answers retried', String(r.api.unavailable)],
    ['API idempotency conflicts resent', String(r.api.idempotencyConflicts)],
    ['secrets found in logs/Redis', r.secrets_found.length === 0 ? '0' : r.secrets_found.join('; ')],
    ['log lines with a prompt', String(r.prompt_log_lines)],
    ['wall time', `${(r.wall_ms / 1000).toFixed(1)} s`],
    ['result', r.ok ? 'OK' : `FAILED: ${r.problems.join('; ')}`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
  const rule = '-'.repeat(Math.max(...lines.map((l) => l.length)));
  const extra = [
    ...r.lost_examples.map((e) => `lost: ${e}`),
    ...r.duplicate_creates.unflagged_prompts.map((e) => `unflagged duplicate: ${e}`),
  ];
  return [rule, ...lines, rule, ...extra].join('\n');
}
