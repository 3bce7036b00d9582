// `vidq models [ID] [--json]` (through the API) and `vidq models update` (straight to the provider).
import { Option, type Command } from 'commander';
import { ExitCode, type CliIo } from './cli-io.js';
import { positiveInt, type Act, type Run } from './command-kit.js';
import { findModel, formatModel, formatModelList, updateCatalogue } from './models.js';

export function addModelsCommand(program: Command, io: CliIo, act: Act, run: Run): void {
  const models = program
    .command('models')
    .description(
      "List the models the API offers, or show one model's fields (vidq models update: refresh them)",
    )
    .argument('[id]', 'a model id or alias: show its fields, allowed values and defaults')
    .option('--json', 'print the API answer as JSON')
    .action(
      act(async (vq, id: string | undefined, opts: { json?: boolean }) => {
        const all = await vq.models();
        const chosen = id === undefined ? undefined : findModel(all, id);
        if (id !== undefined && chosen === undefined) {
          io.stderr.write(`error: unknown model ${JSON.stringify(id)}; vidq models lists them\n`);
          return ExitCode.Failure;
        }
        const text = opts.json
          ? JSON.stringify(chosen ?? all, null, 2)
          : chosen
            ? formatModel(chosen)
            : formatModelList(all);
        io.stdout.write(`${text}\n`);
      }),
    );
  models
    .command('update')
    .description(
      "Fetch the provider's text-to-video catalogue and each model's schema into the local catalogue file the API and worker load at start",
    )
    .option('--base-url <url>', 'provider base URL (default: AIMLAPI_BASE_URL, else https://api.aimlapi.com)')
    .option('--out <file>', 'catalogue file to write (default: CATALOGUE_FILE, else .data/catalogue.json)')
    .addOption(new Option('--timeout-ms <ms>', 'per request').argParser(positiveInt).default(30_000))
    .action(run((opts: { baseUrl?: string; out?: string; timeoutMs: number }) => updateCatalogue(opts, io)));
}
