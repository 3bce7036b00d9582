import type { Balance, BatchEstimate, BatchView } from '@vidqueue/client/http';

const usd = (value: number) => `$${value.toFixed(4)}`;

/**
 * `vidq estimate`'s table: one line per model (rows, estimated USD or `unpriced`), the total, the rows
 * whose price cannot be told (never counted as 0), when the prices were read, and the balance.
 */
export function formatEstimate(file: string, e: BatchEstimate): string {
  const width = Math.max(5, ...e.by_model.map((m) => m.model.length));
  const line = (model: string, rows: number | string, cost: string) =>
    `  ${model.padEnd(width)}  ${String(rows).padStart(6)}  ${cost.padStart(12)}`;
  const cost = (value: number | null, unpriced: number, rows: number) =>
    value === null ? 'unpriced' : unpriced > 0 && unpriced < rows ? `${usd(value)}+` : usd(value);
  const lines = [
    `estimate for ${file}: ${e.total} row(s)${e.skipped ? `, ${e.skipped} invalid row(s) skipped` : ''}; nothing was enqueued`,
    line('model', 'rows', 'estimated'),
    ...e.by_model.map((m) => line(m.model, m.rows, cost(m.estimated_cost_usd, m.unpriced_rows, m.rows))),
    line('total', e.total, cost(e.estimated_cost_usd, e.unpriced_rows, e.total)),
  ];
  if (e.unpriced_rows > 0) {
    lines.push(
      `  ${e.unpriced_rows} row(s) unpriced: their cost cannot be told ahead (not counted in the total; refused under a cap)`,
    );
  }
  lines.push(
    `  prices ${e.prices_as_of === null ? 'unavailable (the provider catalogue could not be read)' : `as of ${e.prices_as_of}`}` +
      (e.balance_usd === null ? '' : `; balance ${usd(e.balance_usd)}`),
  );
  if (e.balance_usd !== null && e.estimated_cost_usd !== null && e.estimated_cost_usd > e.balance_usd) {
    lines.push('  the estimate is over the balance: submit would be refused (402) without --ignore-balance');
  }
  return lines.join('\n');
}

/**
 * The money lines of `vidq status`, the `submit --wait` summary and `vidq set-cap`: actual vs estimate,
 * the cap, paused rows (`capJustSet`: the answer to a new cap, whose paused rows are resuming).
 */
export function moneyLines(batch: BatchView, { capJustSet = false } = {}): string[] {
  const parts = [
    batch.estimated_cost_usd === null ? undefined : `estimated ${usd(batch.estimated_cost_usd)}`,
    batch.unpriced_rows > 0 ? `${batch.unpriced_rows} row(s) unpriced` : undefined,
    batch.max_cost_usd === null
      ? undefined
      : `cap ${usd(batch.max_cost_usd)}, committed ${usd(batch.committed_cost_usd)}`,
  ].filter((p): p is string => p !== undefined);
  const cost = `  cost ${batch.cost_usd > 0 ? usd(batch.cost_usd) : 'none reported'}${parts.length ? ` (${parts.join('; ')})` : ''}`;
  const lines = [cost];
  if (batch.counts.paused > 0) {
    lines.push(
      capJustSet
        ? `  ${batch.counts.paused} row(s) paused by the old cap: resuming, each reserves again under the new one (vidq status ${batch.id} shows them)`
        : `  ${batch.counts.paused} row(s) paused by a spending cap (budget_exceeded): raise it with vidq set-cap ${batch.id} <usd>, or vidq cancel ${batch.id}`,
    );
  }
  return lines;
}

/** `balance $12.3400`, or why it is unknown. */
export function balanceLine(balance: Balance): string {
  return balance.balance_usd === null
    ? `balance unknown: ${balance.reason ?? 'no answer'}`
    : `balance ${usd(balance.balance_usd)} (as of ${balance.checked_at ?? '?'})`;
}
