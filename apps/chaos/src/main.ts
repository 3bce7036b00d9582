// `pnpm chaos`: a private Redis, the simulator with faults, the API and worker processes; prompts
// through the API while workers are SIGKILLed and Redis restarts; a table, a JSON file, an exit code.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ROOT } from './processes.js';
import { parseChaosArgs, UsageError, USAGE, type ChaosOptions } from './options.js';
import { formatReport } from './report.js';
import { runChaos } from './run-chaos.js';

let options: ChaosOptions | null;
try {
  options = parseChaosArgs(process.argv.slice(2));
} catch (err) {
  process.stderr.write(
    `${err instanceof UsageError || err instanceof TypeError ? err.message : String(err)}\n\n${USAGE}\n`,
  );
  process.exit(2);
}
if (options === null) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const t0 = Date.now();
const say = (line: string) =>
  process.stdout.write(`[chaos +${((Date.now() - t0) / 1000).toFixed(1)}s] ${line}\n`);
const report = await runChaos(options, say);
process.stdout.write(`${formatReport(report)}\n`);
const file = resolve(ROOT, options.json);
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
say(`figures written to ${file}`);
process.exit(report.ok ? 0 : 1);
