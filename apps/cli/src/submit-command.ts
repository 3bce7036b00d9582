// `vidq submit FILE [--wait]`: upload a file as one batch, optionally follow it and save its results.
import { Option, type Command } from 'commander';
import type { CreatedBatch, VidqueueClient } from '@vidqueue/client/http';
import { ExitCode, Interrupted, type CliIo } from './cli-io.js';
import { positiveInt, positiveUsd, type Act } from './command-kit.js';
import { follow } from './follow.js';
import { defaultResultsPath, saveResults, summary } from './results.js';
import { defaultIdempotencyKey } from './submit-key.js';

type SubmitOptions = {
  wait?: boolean;
  out?: string;
  format: 'csv' | 'jsonl';
  idempotencyKey?: string | false;
  skipInvalid?: boolean;
  model?: string;
  maxCost?: number;
  ignoreBalance?: boolean;
  interval: number;
};

export function addSubmitCommand(program: Command, act: Act, io: CliIo, formatOption: () => Option): void {
  program
    .command('submit')
    .description('Upload a CSV or JSONL file of prompts as one batch and print its id')
    .argument('<file>', 'CSV (header with a prompt column) or JSONL (.jsonl/.ndjson)')
    .option('--wait', 'follow progress until every row has finished, then save the results')
    .option('--out <file>', 'results file with --wait (default: <file>.results.<format>)')
    .addOption(formatOption())
    .option(
      '--idempotency-key <key>',
      'the same key gives the same batch (default: a hash of the file and the options, so a re-run answers the same batch)',
    )
    .option('--no-idempotency-key', 'send no key: every run makes a new batch')
    .option('--model <model>', "model for rows that name none (default: the server's DEFAULT_MODEL)")
    .option(
      '--skip-invalid',
      'enqueue the valid rows and report the invalid ones instead of refusing the file',
    )
    .addOption(
      new Option(
        '--max-cost <usd>',
        'spending cap of the batch: rows that would pass it wait (paused) until vidq set-cap raises it',
      ).argParser(positiveUsd),
    )
    .option('--ignore-balance', 'enqueue even when the estimate is more than the account balance')
    .addOption(
      new Option('--interval <ms>', 'progress poll interval').argParser(positiveInt).default(1000).hideHelp(),
    )
    .action(act((vq, file: string, opts: SubmitOptions) => submit(vq, file, opts, io)));
}

async function submit(vq: VidqueueClient, file: string, opts: SubmitOptions, io: CliIo): Promise<number> {
  const onInvalid = opts.skipInvalid ? ('skip' as const) : ('reject' as const);
  const idempotencyKey =
    opts.idempotencyKey === false
      ? undefined
      : (opts.idempotencyKey ??
        (await defaultIdempotencyKey(file, { model: opts.model, onInvalid, maxCostUsd: opts.maxCost })));
  let created: CreatedBatch;
  try {
    created = await vq.uploadBatch(file, {
      ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
      ...(opts.skipInvalid ? { onInvalid } : {}),
      ...(opts.model ? { model: opts.model } : {}),
      ...(opts.maxCost === undefined ? {} : { maxCostUsd: opts.maxCost }),
      ...(opts.ignoreBalance ? { ignoreBalance: true } : {}),
    });
  } catch (err) {
    if (!io.signal?.aborted) throw err;
    io.stderr.write(
      `interrupted before the API answered: the batch of ${file} may or may not have been created. ` +
        (idempotencyKey === undefined
          ? 'It was sent without an Idempotency-Key, so running it again may enqueue it twice.\n'
          : 'Run the same command again: its Idempotency-Key answers that batch if it exists, or creates it once.\n'),
    );
    return ExitCode.Interrupted;
  }
  io.stdout.write(`${created.id}\n`);
  if (created.replayed) {
    io.stderr.write(
      `batch ${created.id}: this file was already submitted (same Idempotency-Key): nothing new queued; ` +
        `vidq status ${created.id} shows where it stands\n`,
    );
  }
  const estimate =
    created.estimated_cost_usd === null
      ? 'not priced'
      : `estimated $${created.estimated_cost_usd.toFixed(4)}`;
  if (!created.replayed)
    io.stderr.write(
      `batch ${created.id}: ${created.total} rows queued${created.skipped ? `, ${created.skipped} invalid rows skipped` : ''}` +
        ` (${estimate}${created.unpriced_rows ? `, ${created.unpriced_rows} rows unpriced` : ''}` +
        `${created.max_cost_usd === null ? '' : `; cap $${created.max_cost_usd.toFixed(4)}`})\n`,
    );
  for (const e of created.skipped_rows ?? []) io.stderr.write(`  skipped line ${e.line}: ${e.message}\n`);
  if (!opts.wait) return ExitCode.Ok;
  const out = opts.out ?? defaultResultsPath(file, opts.format);
  try {
    const batch = await follow(vq, created.id, io, opts.interval);
    await saveResults(vq, created.id, opts.format, out, io);
    io.stdout.write(`${summary(batch)}\n  results ${out}\n`);
    return ExitCode.Ok;
  } catch (err) {
    if (!(err instanceof Interrupted) && !io.signal?.aborted) throw err;
    io.stderr.write(
      `interrupted: batch ${created.id} is queued and keeps running on the server (no results file written).\n` +
        `  vidq status ${created.id}  shows it; vidq results ${created.id} --out ${out}  saves the results; vidq cancel ${created.id}  stops it\n`,
    );
    return ExitCode.Interrupted;
  }
}
