import type { Command } from 'commander';
import type { CliIo } from './cli-io.js';
import { positiveUsd, type Act } from './command-kit.js';
import { formatEstimate } from './estimate.js';
import { summary } from './results.js';

/** `vidq estimate` (a dry run of a file) and `vidq set-cap` (a batch's spending cap). */
export function addMoneyCommands(program: Command, act: Act, io: CliIo): void {
  program
    .command('estimate')
    .description('Price a CSV or JSONL file of prompts by the provider catalogue; nothing is enqueued')
    .argument('<file>', 'CSV (header with a prompt column) or JSONL (.jsonl/.ndjson)')
    .option('--model <model>', "model for rows that name none (default: the server's DEFAULT_MODEL)")
    .option('--skip-invalid', 'price the valid rows and count the invalid ones instead of refusing the file')
    .option('--json', 'print the API answer as JSON')
    .action(
      act(async (vq, file: string, opts: { model?: string; skipInvalid?: boolean; json?: boolean }) => {
        const estimate = await vq.estimateFile(file, {
          ...(opts.model ? { model: opts.model } : {}),
          ...(opts.skipInvalid ? { onInvalid: 'skip' as const } : {}),
        });
        io.stdout.write(
          opts.json ? `${JSON.stringify(estimate, null, 2)}\n` : `${formatEstimate(file, estimate)}\n`,
        );
      }),
    );

  program
    .command('set-cap')
    .description("Set a batch's spending cap in USD (none: remove it); its paused rows resume at once")
    .argument('<id>', 'batch id')
    .argument('<usd>', 'the new cap, or none', (value: string) =>
      value === 'none' ? null : positiveUsd(value),
    )
    .action(
      act(async (vq, id: string, maxCostUsd: number | null) => {
        io.stdout.write(`${summary(await vq.updateBatch(id, { maxCostUsd }), { capJustSet: true })}\n`);
      }),
    );
}
