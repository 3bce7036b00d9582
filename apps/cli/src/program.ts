import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
// The HTTP mode entry point: the CLI never needs BullMQ, so it starts faster without it.
import { createHttpClient, type VidqueueClient } from '@vidqueue/client/http';
import { ExitCode, type CliIo } from './cli-io.js';
import { positiveInt, positiveUsd, type Act, type Run } from './command-kit.js';
import { DEFAULT_MAX_BYTES, downloadBatch, parseByteSize, videoAddressPolicy } from './download.js';
import { balanceLine } from './estimate.js';
import { addMoneyCommands } from './money-commands.js';
import { follow } from './follow.js';
import { addModelsCommand } from './models-command.js';
import { printError } from './print-error.js';
import { defaultResultsPath, saveResults, summary } from './results.js';
import { defaultIdempotencyKey } from './submit-key.js';
import { addWebhooksCommand } from './webhooks-command.js';

export const DEFAULT_API_URL = 'http://127.0.0.1:3000';

type GlobalOptions = { api: string; token?: string };

/** The `vidq` program. Each action sets `exitCode`; nothing here calls process.exit. */
export function buildProgram(io: CliIo): { program: Command; exitCode: () => number } {
  let exitCode: number = ExitCode.Ok;
  const program = new Command('vidq')
    .description('Turn files of text prompts into videos through a vidqueue API')
    .addOption(
      new Option('--api <url>', 'vidqueue API base URL').env('VIDQ_API_URL').default(DEFAULT_API_URL),
    )
    .addOption(new Option('--token <token>', 'API bearer token').env('VIDQ_TOKEN'))
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .showHelpAfterError('(vidq --help for usage)');

  function client(): VidqueueClient {
    const { api, token } = program.opts<GlobalOptions>();
    return createHttpClient({ apiUrl: api, ...(token ? { token } : {}) });
  }

  /** Runs an action with a client, mapping errors to exit code 1. */
  const act: Act =
    (fn) =>
    async (...args) => {
      const vq = client();
      try {
        exitCode = (await fn(vq, ...args)) ?? ExitCode.Ok;
      } catch (err) {
        printError(err, io);
        exitCode = ExitCode.Failure;
      } finally {
        await vq.close();
      }
    };
  const run: Run =
    (fn) =>
    async (...args) => {
      try {
        exitCode = await fn(...args);
      } catch (err) {
        printError(err, io);
        exitCode = ExitCode.Failure;
      }
    };

  addMoneyCommands(program, act, io);

  const formatOption = () =>
    new Option('--format <format>', 'results format').choices(['csv', 'jsonl']).default('csv');

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
    .action(
      act(
        async (
          vq,
          file: string,
          opts: {
            wait?: boolean;
            out?: string;
            format: 'csv' | 'jsonl';
            idempotencyKey?: string | false;
            skipInvalid?: boolean;
            model?: string;
            maxCost?: number;
            ignoreBalance?: boolean;
            interval: number;
          },
        ) => {
          const onInvalid = opts.skipInvalid ? ('skip' as const) : ('reject' as const);
          const idempotencyKey =
            opts.idempotencyKey === false
              ? undefined
              : (opts.idempotencyKey ??
                (await defaultIdempotencyKey(file, {
                  model: opts.model,
                  onInvalid,
                  maxCostUsd: opts.maxCost,
                })));
          const created = await vq.uploadBatch(file, {
            ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
            ...(opts.skipInvalid ? { onInvalid } : {}),
            ...(opts.model ? { model: opts.model } : {}),
            ...(opts.maxCost === undefined ? {} : { maxCostUsd: opts.maxCost }),
            ...(opts.ignoreBalance ? { ignoreBalance: true } : {}),
          });
          io.stdout.write(`${created.id}\n`);
          const estimate =
            created.estimated_cost_usd === null
              ? 'not priced'
              : `estimated $${created.estimated_cost_usd.toFixed(4)}`;
          io.stderr.write(
            `batch ${created.id}: ${created.total} rows queued${created.skipped ? `, ${created.skipped} invalid rows skipped` : ''}` +
              ` (${estimate}${created.unpriced_rows ? `, ${created.unpriced_rows} rows unpriced` : ''}` +
              `${created.max_cost_usd === null ? '' : `; cap $${created.max_cost_usd.toFixed(4)}`})\n`,
          );
          for (const e of created.skipped_rows ?? [])
            io.stderr.write(`  skipped line ${e.line}: ${e.message}\n`);
          if (!opts.wait) return;
          const batch = await follow(vq, created.id, io, opts.interval);
          const out = opts.out ?? defaultResultsPath(file, opts.format);
          await saveResults(vq, created.id, opts.format, out, io);
          io.stdout.write(`${summary(batch)}\n  results ${out}\n`);
        },
      ),
    );

  program
    .command('status')
    .description('Show a batch: counts by status, cost against its estimate and cap; the account balance')
    .argument('<id>', 'batch id (bat_…)')
    .option('--json', 'print the API answer as JSON')
    .action(
      act(async (vq, id: string, opts: { json?: boolean }) => {
        const batch = await vq.getBatch(id);
        if (opts.json) {
          io.stdout.write(`${JSON.stringify(batch, null, 2)}\n`);
          return;
        }
        io.stdout.write(`${summary(batch)}\n  ${balanceLine(await vq.balance())}\n`);
      }),
    );

  program
    .command('results')
    .description('Export every row of a batch in input order')
    .argument('<id>', 'batch id')
    .addOption(formatOption())
    .option('--out <file>', 'write to a file instead of stdout')
    .action(
      act(async (vq, id: string, opts: { format: 'csv' | 'jsonl'; out?: string }) => {
        await saveResults(vq, id, opts.format, opts.out ?? '-', io);
        if (opts.out) io.stderr.write(`results written to ${opts.out}\n`);
      }),
    );

  program
    .command('cancel')
    .description('Cancel every unfinished row of a batch')
    .argument('<id>', 'batch id')
    .action(
      act(async (vq, id: string) => {
        io.stdout.write(`${summary(await vq.cancelBatch(id))}\n`);
      }),
    );

  program
    .command('retry')
    .description('Queue the failed rows of a batch again (including submission_unknown ones)')
    .argument('<id>', 'batch id')
    .requiredOption('--failed', 'retry the failed rows (the only kind of retry)')
    .action(
      act(async (vq, id: string) => {
        const { retried } = await vq.retryFailed(id);
        io.stdout.write(`${retried} failed row(s) queued again\n`);
      }),
    );

  program
    .command('resume')
    .description(
      'Resume provider submissions after an account pause (401/403), once the key or credits are fixed',
    )
    .action(
      act(async (vq) => {
        const r = await vq.resumeSubmissions();
        io.stdout.write(
          r.previous_pause
            ? `resumed: the pause since ${r.previous_pause.since} (${r.previous_pause.status ?? '?'}: ${r.previous_pause.reason}) is lifted; ${r.promoted} waiting job(s) go now\n`
            : `submissions were not paused; ${r.promoted} waiting job(s) go now\n`,
        );
      }),
    );

  addWebhooksCommand(program, io, act);

  program
    .command('download')
    .description('Save each finished video as <dir>/<row>-<custom_id>.mp4 (<row>.mp4 without one); resumable')
    .argument('<id>', 'batch id')
    .requiredOption('--dir <dir>', 'where to save the MP4 files')
    .addOption(new Option('--concurrency <n>', 'downloads at a time').argParser(positiveInt).default(4))
    .addOption(
      new Option('--max-bytes <size>', 'largest video accepted (bytes, or with K/M/G)')
        .argParser((value) => {
          const bytes = parseByteSize(value);
          if (bytes === undefined) throw new InvalidArgumentError('must be a size such as 500M or 2G');
          return bytes;
        })
        .default(DEFAULT_MAX_BYTES, '2G'),
    )
    .option(
      '--allow-private-addresses',
      'let video URLs and their redirects reach loopback, private and link-local addresses',
    )
    .action(
      act(
        async (
          vq,
          id: string,
          opts: { dir: string; concurrency: number; maxBytes: number; allowPrivateAddresses?: boolean },
        ) => {
          const addressPolicy = await videoAddressPolicy(
            program.opts<GlobalOptions>().api,
            opts.allowPrivateAddresses ?? false,
          );
          const { api, token } = program.opts<GlobalOptions>();
          const result = await downloadBatch(vq, id, {
            dir: opts.dir,
            api: { url: api, ...(token ? { token } : {}) },
            concurrency: opts.concurrency,
            maxBytes: opts.maxBytes,
            addressPolicy,
            onFile: (e) => {
              if (e.kind === 'downloaded') io.stderr.write(`saved ${e.file} (${e.bytes} bytes)\n`);
              else if (e.kind === 'skipped') io.stderr.write(`skipped ${e.file} (complete already)\n`);
              else io.stderr.write(`failed row ${e.row} (${e.file}): ${e.code}: ${e.error}\n`);
            },
          });
          io.stdout.write(
            `downloaded ${result.downloaded}, skipped ${result.skipped} (complete already), failed ${result.failed}, not finished ${result.notFinished}, no video ${result.noVideo}\n`,
          );
          for (const f of result.failures)
            io.stdout.write(`  failed row ${f.row} (${f.file}): ${f.code}: ${f.error}\n`);
          return result.failed > 0 ? ExitCode.Failure : ExitCode.Ok;
        },
      ),
    );

  addModelsCommand(program, io, act, run);

  return { program, exitCode: () => exitCode };
}

/** Parses and runs; answers the exit code (2 for usage errors, 0 for --help and --version). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const { program, exitCode } = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode();
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    printError(err, io);
    return ExitCode.Failure;
  }
}
