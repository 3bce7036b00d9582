/**
 * `vidq models [ID]`: the models the API offers and one model's fields (from `GET /v1/models`), and
 * `vidq models update`: the provider's catalogue written to the local file the API and the worker load
 * at start (CATALOGUE_FILE, default `.data/catalogue.json`).
 */
import {
  CatalogueFetchError,
  fetchProviderCatalogue,
  readCatalogueFile,
  shippedCatalogue,
  writeCatalogueFile,
  type Catalogue,
  type ModelDescription,
  type ParameterDescription,
} from '@vidqueue/aimlapi';
import { ExitCode, type CliIo } from './cli-io.js';

/** Where `vidq models update` writes when neither --out nor CATALOGUE_FILE says (as the API and worker read). */
export const DEFAULT_CATALOGUE_FILE = '.data/catalogue.json';

const pad = (text: string, width: number) => text.padEnd(width);

/** `64 models …` then one line per model: `* ` marks the default, then its id and fields. */
export function formatModelList(models: readonly ModelDescription[]): string {
  const width = Math.max(...models.map((m) => m.id.length));
  const fallback = models.find((m) => m.default)?.id ?? 'none';
  const lines = models.map((m) => {
    const fields = Object.keys(m.parameters).filter((f) => f !== 'prompt');
    return `${m.default ? '*' : ' '} ${pad(m.id, width)}  ${fields.join(', ') || '(prompt only)'}`;
  });
  return [
    `${models.length} models (* default: ${fallback}); fields besides prompt. vidq models <id> shows one.`,
    ...lines,
  ].join('\n');
}

function allowed(p: ParameterDescription): string {
  if (p.values !== undefined) return p.values.join(' | ');
  if (p.type === 'boolean') return 'true | false';
  const article = p.type === 'integer' ? 'an integer' : p.type === 'number' ? 'a number' : 'any text';
  if (p.minimum !== undefined && p.maximum !== undefined) return `${p.minimum} to ${p.maximum}`;
  if (p.minimum !== undefined) return `at least ${p.minimum}`;
  if (p.maximum !== undefined) return `at most ${p.maximum}`;
  if (p.max_length !== undefined) return `text, at most ${p.max_length} chars`;
  if (p.min_length !== undefined) return `text, at least ${p.min_length} chars`;
  return article;
}

/** One model: what it is, each field (type, allowed values, default, description), what is left out. */
export function formatModel(m: ModelDescription): string {
  const rows = Object.entries(m.parameters).map(([name, p]) => ({
    name,
    type: p.type,
    allowed: allowed(p),
    fallback: p.required ? 'required' : p.default === undefined ? '-' : `default ${String(p.default)}`,
    about: [p.description, ...(p.notes ?? [])].filter(Boolean).join(' '),
  }));
  const w = (key: 'name' | 'type' | 'allowed' | 'fallback') => Math.max(...rows.map((r) => r[key].length));
  const clip = (text: string) => (text.length > 100 ? `${text.slice(0, 99)}…` : text);
  const expected = Object.entries(m.expected_seconds)
    .map(([clipSeconds, s]) => `${clipSeconds} s clip ≈ ${s} s`)
    .join(', ');
  return [
    `${m.id}${m.label !== m.id ? `  ${m.label}` : ''}${m.default ? '  (default)' : ''}`,
    ...(m.aliases.length > 0 ? [`aliases: ${m.aliases.join(', ')}`] : []),
    ...(m.description ? [m.description] : []),
    'fields:',
    ...rows.map((r) =>
      `  ${pad(r.name, w('name'))}  ${pad(r.type, w('type'))}  ${pad(r.allowed, w('allowed'))}  ${pad(r.fallback, w('fallback'))}  ${clip(r.about)}`.trimEnd(),
    ),
    ...Object.entries(m.not_offered).map(([name, why]) => `not offered: ${name}: ${why}`),
    `generation time: ${expected}${m.expected_seconds_guess ? ' (a guess until learned)' : ' (measured)'}`,
  ].join('\n');
}

/** The model `id` names (id or alias), or undefined. */
export function findModel(models: readonly ModelDescription[], id: string): ModelDescription | undefined {
  return models.find((m) => m.id === id) ?? models.find((m) => m.aliases.includes(id));
}

export type UpdateOptions = { baseUrl?: string; out?: string; timeoutMs?: number };

/** What is in use when the update fails: the file if it is valid, else the shipped catalogue. */
function currentCatalogue(file: string, io: CliIo): Catalogue {
  try {
    return readCatalogueFile(file) ?? shippedCatalogue();
  } catch (err) {
    io.stderr.write(
      `note: ${(err as Error).message}; the API and worker refuse it and use the shipped catalogue\n`,
    );
    return shippedCatalogue();
  }
}

/** Fetches the provider's catalogue and writes it; on failure writes nothing and says what stays in use. */
export async function updateCatalogue(options: UpdateOptions, io: CliIo): Promise<number> {
  const out = options.out ?? io.env.CATALOGUE_FILE ?? DEFAULT_CATALOGUE_FILE;
  const baseUrl = options.baseUrl ?? io.env.AIMLAPI_BASE_URL ?? 'https://api.aimlapi.com';
  const apiKey = io.env.AIMLAPI_KEY || undefined;
  const current = currentCatalogue(out, io);
  if (apiKey === undefined) {
    io.stderr.write("AIMLAPI_KEY is not set: asking without a key (the provider's catalogue needs none)\n");
  }
  let report;
  try {
    report = await fetchProviderCatalogue({
      baseUrl,
      current,
      ...(apiKey !== undefined && { apiKey }),
      ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
    });
  } catch (err) {
    if (!(err instanceof CatalogueFetchError) && !(err instanceof TypeError)) throw err;
    io.stderr.write(
      `vidq models update: ${err.message}\nnothing written: ${out} is unchanged, and the API and the worker keep the ${current.describe()}\n`,
    );
    return ExitCode.Failure;
  }
  const { data, added, removed, changed, problems } = report;
  io.stdout.write(
    `fetched ${data.models.length} text-to-video models from ${data.source.kind === 'provider' ? data.source.url : baseUrl}` +
      ` (${data.excluded.length} excluded)\n`,
  );
  for (const e of data.excluded) io.stdout.write(`  excluded ${e.id}: ${e.reason}\n`);
  for (const p of problems.filter((x) => x.kept)) {
    io.stdout.write(`  kept the current definition of ${p.id}: ${p.problem}\n`);
  }
  const list = (label: string, ids: string[]) => {
    if (ids.length > 0) io.stdout.write(`  ${label} (${ids.length}): ${ids.join(', ')}\n`);
  };
  list('new', added);
  list('gone', removed);
  list('changed fields', changed);
  if (added.length + removed.length + changed.length === 0) {
    io.stdout.write(`  the same models and fields as the ${current.describe()}\n`);
  }
  writeCatalogueFile(out, data);
  io.stdout.write(`wrote ${out}: restart the API and the worker to use it\n`);
  return ExitCode.Ok;
}
