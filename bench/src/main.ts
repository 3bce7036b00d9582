/**
 * `pnpm bench [--quick] [--only NAME[,NAME]] [--time-scale X] [--jobs N] [--fair-share-rows N] [--concurrency N]`: runs each scenario against a
 * private Redis and the simulator, prints a table, writes bench/results/latest.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from './env.js';
import { calls } from './scenarios/calls.js';
import { capacity } from './scenarios/capacity.js';
import { fairness } from './scenarios/fairness.js';
import { footprint } from './scenarios/footprint.js';
import { ingest } from './scenarios/ingest.js';
import { overhead } from './scenarios/overhead.js';
import { scale } from './scenarios/scale.js';
import type { BenchOptions, ScenarioResult } from './types.js';

const SCENARIOS = { overhead, capacity, calls, footprint, ingest, fairness, scale } as const;
type Name = keyof typeof SCENARIOS;

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    'time-scale': { type: 'string' },
    jobs: { type: 'string' },
    'fair-share-rows': { type: 'string' },
    concurrency: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(
    `pnpm bench [--quick] [--only ${Object.keys(SCENARIOS).join('|')}[,...]] [--time-scale X] [--jobs N] [--fair-share-rows N] [--concurrency N]\n`,
  );
  process.exit(0);
}
const names = (values.only ? values.only.split(',').map((s) => s.trim()) : Object.keys(SCENARIOS)) as Name[];
for (const name of names) {
  if (!(name in SCENARIOS)) {
    process.stderr.write(`unknown scenario ${name}; one of ${Object.keys(SCENARIOS).join(', ')}\n`);
    process.exit(2);
  }
}
const quick = values.quick ?? false;
const timeScale = Number(values['time-scale'] ?? (quick ? '0.05' : '1'));
if (!Number.isFinite(timeScale) || timeScale <= 0 || timeScale > 1) {
  process.stderr.write('--time-scale must be a number in (0, 1]\n');
  process.exit(2);
}
const count = (flag: 'jobs' | 'fair-share-rows' | 'concurrency', min: number): number | undefined => {
  const raw = values[flag];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    process.stderr.write(`--${flag} must be an integer ≥ ${min}\n`);
    process.exit(2);
  }
  return n;
};
const options: BenchOptions = {
  quick,
  timeScale,
  jobs: count('jobs', 1),
  fairShareRows: count('fair-share-rows', 0),
  concurrency: count('concurrency', 1),
  log: (line) => process.stdout.write(`${line}\n`),
};

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GB, Node ${process.version}`;
const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
const loadBefore = load();
options.log(`vidqueue bench ${new Date().toISOString()} on ${machine}; load average ${loadBefore}`);
options.log(
  `mode: ${quick ? 'quick' : 'default sizes'}, time scale ${timeScale}${timeScale !== 1 ? ' (generation times and check intervals shortened; lags shown in real-time seconds ÷ scale)' : ''}`,
);

if (quick) {
  options.log(
    'quick mode is a smoke test (CI runs it): the sizes are too small and the times too short for the targets, which are judged on a full run with default sizes (bench/README.md); met/MISSED below are indicative only',
  );
}

const results: ScenarioResult[] = [];
const errors: Record<string, string> = {};
const started = Date.now();
for (const name of names) {
  options.log(`\n▶ ${name}`);
  const t0 = Date.now();
  try {
    const result = await SCENARIOS[name](options);
    results.push(result);
    printTable(result);
    options.log(`  (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  } catch (err) {
    errors[name] = err instanceof Error ? err.message : String(err);
    options.log(`  FAILED: ${errors[name]}`);
  }
}

const out = join(ROOT, 'bench/results');
mkdirSync(out, { recursive: true });
writeFileSync(
  join(out, 'latest.json'),
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      machine,
      quick,
      timeScale,
      seconds: Math.round((Date.now() - started) / 1000),
      loadAverageBefore: loadBefore,
      loadAverageAfter: load(),
      results,
      errors,
    },
    null,
    2,
  )}\n`,
);
options.log(`\nload average now ${load()} (other processes on the machine skew timings)`);
options.log(`wrote bench/results/latest.json (${((Date.now() - started) / 1000).toFixed(0)} s in all)`);
process.exit(Object.keys(errors).length > 0 ? 1 : 0);

function printTable(result: ScenarioResult): void {
  const header = ['metric', 'vidqueue', 'reference (same run)', 'target', ''];
  const rows = result.rows.map((r) => [
    r.metric,
    r.value,
    r.reference ?? '',
    r.target ?? '',
    r.ok === undefined ? '' : r.ok ? 'met' : 'MISSED',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' │ ')}`;
  options.log(`  ${result.title}`);
  options.log(
    `  ${Object.entries(result.params)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  );
  options.log(line(header));
  options.log(`  ${widths.map((w) => '─'.repeat(w)).join('─┼─')}`);
  for (const r of rows) options.log(line(r));
  for (const note of result.notes) options.log(`  note: ${note}`);
}
