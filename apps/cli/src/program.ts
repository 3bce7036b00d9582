import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
// The HTTP mode entry point: the CLI never needs BullMQ, so it starts faster without it.
import { createHttpClient, type VidqueueClient } from '@vidqueue/client/http';
import { ExitCode, type CliIo } from './cli-io.js';
import { positiveInt, UsageError, type Act, type Run } from './command-kit.js';
import { DEFAULT_MAX_BYTES, downloadBatch, parseByteSize, videoAddressPolicy } from './download.js';
import { balanceLine } from './estimate.js';
import { addMoneyCommands } from './money-commands.js';
import { addModelsCommand } from './models-command.js';
import { printError } from './print-error.js';
import { saveResults, summary } from './results.js';
import { addSubmitCommand } from './submit-command.js';
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

  /**
   * Runs an action with a client, mapping errors to exit code 1 (2 for a bad `--api` or option). Ctrl-C
   * closes the client (requests in flight stop); a command that knows what state it leaves says so and
   * answers 130 itself, any other is reported interrupted here.
   */
  const act: Act =
    (fn) =>
    async (...args) => {
      // Never echoes the URL: it may hold a password.
      const badApi = apiUrlProblem(program.opts<GlobalOptions>().api);
      if (badApi) {
        io.stderr.write(`error: --api (or VIDQ_API_URL) ${badApi}\n`);
        exitCode = ExitCode.Usage;
        return;
      }
      const vq = client();
      const onInterrupt = () => void vq.close();
      io.signal?.addEventListener('abort', onInterrupt, { once: true });
      try {
        exitCode = (await fn(vq, ...args)) ?? ExitCode.Ok;
      } catch (err) {
        if (io.signal?.aborted) {
          io.stderr.write('interrupted\n');
          exitCode = ExitCode.Interrupted;
        } else {
          printError(err, io);
          exitCode = err instanceof UsageError ? ExitCode.Usage : ExitCode.Failure;
        }
      } finally {
        io.signal?.removeEventListener('abort', onInterrupt);
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

  addSubmitCommand(program, act, io, formatOption);

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
        try {
          await saveResults(vq, id, opts.format, opts.out ?? '-', io);
        } catch (err) {
          if (!io.signal?.aborted || !opts.out) throw err;
          io.stderr.write(`interrupted: ${opts.out} was not written (nothing partial is left)\n`);
          return ExitCode.Interrupted;
        }
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
          // An unknown batch (NotFoundError) fails here, before the folder is made.
          await vq.getBatch(id);
          const result = await downloadBatch(vq, id, {
            dir: opts.dir,
            api: { url: api, ...(token ? { token } : {}) },
            concurrency: opts.concurrency,
            maxBytes: opts.maxBytes,
            addressPolicy,
            ...(io.signal ? { signal: io.signal } : {}),
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
          if (result.interrupted) {
            io.stderr.write(
              `interrupted: the files listed as saved are whole; files being fetched were stopped and their .part removed, the rest not started. Run the same command again to fetch what is missing (complete files are skipped)\n`,
            );
            return ExitCode.Interrupted;
          }
          return result.failed > 0 ? ExitCode.Failure : ExitCode.Ok;
        },
      ),
    );

  addModelsCommand(program, io, act, run);

  return { program, exitCode: () => exitCode };
}

/** What is wrong with `--api`, in words that never repeat it (it may hold a password); undefined when fine. */
function apiUrlProblem(api: string): string | undefined {
  let url: URL;
  try {
    url = new URL(api);
  } catch {
    return 'is not a URL (expected http(s)://host:port)';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `must be http(s), not ${url.protocol}`;
  if (url.username !== '' || url.password !== '') {
    return 'must not hold a user name or password (it is never printed): give the API token with --token or VIDQ_TOKEN';
  }
  return undefined;
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
