import type { ChaosReport } from './run-chaos.js';

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
    ['duplicate creates', String(r.duplicate_creates.total)],
    ['  flagged (possible_duplicate / submission_unknown)', String(r.duplicate_creates.flagged)],
    ['  unflagged (must be 0)', String(r.duplicate_creates.unflagged)],
    ['provider calls: create', String(r.provider_calls.create_requests)],
    ['provider calls: status', String(r.provider_calls.status_checks)],
    ['generations created', String(r.provider_calls.creates)],
    [
      'faults injected',
      Object.entries(r.provider_calls.faults)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ') || 'none',
    ],
    ['worker SIGKILLs', String(r.chaos.worker_kills)],
    ['redis restarts', String(r.chaos.redis_restarts)],
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
