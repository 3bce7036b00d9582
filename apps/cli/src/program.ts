import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
// The HTTP mode entry point: the CLI never needs BullMQ, so it starts faster without it.
import {
  ApiError,
  UnavailableError,
  ValidationError,
  VidqueueError,
  createHttpClient,
  uploadFormat,
  type BatchView,
  type VidqueueClient,
} from '@vidqueue/client/http';
import { downloadBatch } from './download.js';
import { createProgressReporter, formatDuration } from './progress.js';

export const DEFAULT_API_URL = 'http://127.0.0.1:3000';

export type CliIo = {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
};

/** Exit codes: 0 ok, 1 failure (the API refused, a row failed to download...), 2 usage. */
export const ExitCode = { Ok: 0, Failure: 1, Usage: 2 } as const;

type GlobalOptions = { api: string; token?: string };

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

/** `prompts.csv` → `prompts.results.csv` (next to it). */
export function defaultResultsPath(file: string, format: 'csv' | 'jsonl'): string {
  const name = basename(file, extname(file));
  return join(dirname(file), `${name}.results.${format}`);
}

/**
 * The Idempotency-Key `vidq submit` sends unless given one: the SHA-256 of the file's bytes and of the
 * options that change what it enqueues (format, model, on_invalid). Running the same command again,
 * after a client timeout for instance, answers the same batch instead of enqueueing the file twice.
 */
export async function defaultIdempotencyKey(
  file: string,
  options: { model?: string | undefined; onInvalid: 'reject' | 'skip' },
): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  const opts = {
    format: uploadFormat(file, undefined),
    model: options.model ?? null,
    on_invalid: options.onInvalid,
  };
  hash.update(`\n${JSON.stringify(opts)}`);
  return `vidq-submit-${hash.digest('hex')}`;
}

/** Writes the API's export of a batch to a file (or stdout when `out` is `-`). */
async function saveResults(
  vq: VidqueueClient,
  id: string,
  format: 'csv' | 'jsonl',
  out: string,
  io: CliIo,
): Promise<void> {
  const source = Readable.from(vq.exportResults(id, format));
  if (out === '-') {
    for await (const chunk of source) io.stdout.write(chunk as Uint8Array);
    return;
  }
  await pipeline(source, createWriteStream(out));
}

function summary(batch: BatchView): string {
  const c = batch.counts;
  return [
    `batch ${batch.id} ${batch.status}: ${batch.total} rows`,
    `  completed ${c.completed}, failed ${c.failed}, cancelled ${c.cancelled}, generating ${c.generating}, queued ${c.queued}`,
    `  cost ${batch.cost_usd > 0 ? `$${batch.cost_usd.toFixed(4)}` : 'none reported'}`,
  ].join('\n');
}

function isFinished(batch: BatchView): boolean {
  const c = batch.counts;
  return c.completed + c.failed + c.cancelled >= batch.total;
}

/** Polls the batch until every row has finished, reporting progress on the way. */
async function follow(vq: VidqueueClient, id: string, io: CliIo, intervalMs: number): Promise<BatchView> {
  const reporter = createProgressReporter(io.stderr);
  const started = Date.now();
  try {
    let misses = 0;
    for (;;) {
      let batch: BatchView;
      try {
        batch = await vq.getBatch(id);
        misses = 0;
      } catch (err) {
        // The API restarting is no reason to give up on a long batch: keep trying for a minute or so.
        if (!(err instanceof UnavailableError) || ++misses > 60) throw err;
        io.stderr.write(`api unavailable (${err.message}); retrying\n`);
        await sleep(Math.max(intervalMs, 1_000));
        continue;
      }
      reporter.update(batch);
      if (isFinished(batch)) {
        reporter.stop();
        io.stderr.write(`finished in ${formatDuration(Math.round((Date.now() - started) / 1000))}\n`);
        return batch;
      }
      await sleep(intervalMs);
    }
  } finally {
    reporter.stop();
  }
}

/** Prints an error the way a user can act on it: the API's message, then each row or field problem. */
export function printError(err: unknown, io: CliIo): void {
  if (err instanceof ValidationError) {
    io.stderr.write(`error: ${err.message}\n`);
    return;
  }
  if (err instanceof ApiError) {
    io.stderr.write(`error: ${err.message} (${err.status} ${err.code})\n`);
    if (err.code === 'INVALID_ROWS')
      io.stderr.write('  (vidq submit --skip-invalid enqueues the valid rows)\n');
    const details = err.details as
      | { errors?: { line?: number; row?: number; column?: string; message: string }[]; error_count?: number }
      | { path: string; message: string }[]
      | { reason?: string; line?: number; column?: string }
      | undefined;
    if (Array.isArray(details)) {
      for (const d of details) io.stderr.write(`  ${d.path}: ${d.message}\n`);
    } else if (details && 'errors' in details && Array.isArray(details.errors)) {
      for (const e of details.errors) {
        const where = [
          e.line === undefined ? undefined : `line ${e.line}`,
          e.row === undefined ? undefined : `row ${e.row}`,
          e.column ? `column ${e.column}` : undefined,
        ]
          .filter(Boolean)
          .join(', ');
        io.stderr.write(`  ${where}: ${e.message}\n`);
      }
      const total = details.error_count ?? details.errors.length;
      if (total > details.errors.length) io.stderr.write(`  … and ${total - details.errors.length} more\n`);
    } else if (details && 'line' in details && details.line !== undefined) {
      io.stderr.write(`  at line ${details.line}${details.column ? `, column ${details.column}` : ''}\n`);
    }
    return;
  }
  if (err instanceof VidqueueError) {
    io.stderr.write(`error: ${err.message}\n`);
    return;
  }
  io.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
}

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
  const act =
    <A extends unknown[]>(fn: (vq: VidqueueClient, ...args: A) => Promise<number | void>) =>
    async (...args: A): Promise<void> => {
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
            interval: number;
          },
        ) => {
          const onInvalid = opts.skipInvalid ? ('skip' as const) : ('reject' as const);
          const idempotencyKey =
            opts.idempotencyKey === false
              ? undefined
              : (opts.idempotencyKey ??
                (await defaultIdempotencyKey(file, { model: opts.model, onInvalid })));
          const created = await vq.uploadBatch(file, {
            ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
            ...(opts.skipInvalid ? { onInvalid } : {}),
            ...(opts.model ? { model: opts.model } : {}),
          });
          io.stdout.write(`${created.id}\n`);
          io.stderr.write(
            `batch ${created.id}: ${created.total} rows queued${created.skipped ? `, ${created.skipped} invalid rows skipped` : ''}\n`,
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
    .description('Show a batch: counts by status and cost')
    .argument('<id>', 'batch id (bat_…)')
    .option('--json', 'print the API answer as JSON')
    .action(
      act(async (vq, id: string, opts: { json?: boolean }) => {
        const batch = await vq.getBatch(id);
        io.stdout.write(opts.json ? `${JSON.stringify(batch, null, 2)}\n` : `${summary(batch)}\n`);
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

  program
    .command('download')
    .description('Save each finished video as <dir>/<custom_id or row>.mp4 (resumable)')
    .argument('<id>', 'batch id')
    .requiredOption('--dir <dir>', 'where to save the MP4 files')
    .addOption(new Option('--concurrency <n>', 'downloads at a time').argParser(positiveInt).default(4))
    .action(
      act(async (vq, id: string, opts: { dir: string; concurrency: number }) => {
        const result = await downloadBatch(vq, id, {
          dir: opts.dir,
          concurrency: opts.concurrency,
          onFile: (e) => {
            if (e.kind === 'downloaded') io.stderr.write(`saved ${e.file} (${e.bytes} bytes)\n`);
            else if (e.kind === 'skipped') io.stderr.write(`skipped ${e.file} (already complete)\n`);
            else io.stderr.write(`failed ${e.file}: ${e.error}\n`);
          },
        });
        io.stdout.write(
          `downloaded ${result.downloaded}, skipped ${result.skipped}, failed ${result.failed}, not finished ${result.notReady}\n`,
        );
        return result.failed > 0 ? ExitCode.Failure : ExitCode.Ok;
      }),
    );

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
