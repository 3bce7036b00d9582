/**
 * The catalogue from the live provider: `GET /v1/models?capabilities=text_to_video` (no key needed,
 * the key is sent when there is one), then each model's `docsJson` (its request schema, the OpenAPI
 * file the docs are built from), made into a catalogue by the same rules as the shipped one
 * (`build.ts`, with the overlay matched by id or alias). What `vidq models update` writes.
 *
 * A failure to get the list is a `CatalogueFetchError` (nothing to write). A model whose schema cannot
 * be fetched or read keeps the current definition when there is one (matched by id or alias), else it
 * is excluded with the reason: one broken docs link does not block every update.
 */
import { checkVideoModels } from '@vidqueue/provider-schemas/check';
import { normalizeBaseUrl } from '../base-url.js';
import { buildModel, type Overlay, type ProviderModel } from './build.js';
import type { Catalogue } from './catalogue.js';
import overlayData from './overlay.json' with { type: 'json' };
import type { CatalogueData, CatalogueModel, ExcludedModel } from './types.js';

export type RefreshOptions = {
  /** Default https://api.aimlapi.com (a trailing /v1 or /v2 is dropped). */
  baseUrl?: string;
  /** Sent as a bearer token when given; the docs say the catalogue needs none. */
  apiKey?: string;
  /** Per request, default 30 s. */
  timeoutMs?: number;
  /** The catalogue in use now: the fallback for unreadable schemas, and what the report compares with. */
  current: Catalogue;
  overlay?: Overlay;
  fetch?: typeof fetch;
  now?: () => Date;
};

export type RefreshReport = {
  data: CatalogueData;
  /** Offered now and not before (by id or alias). */
  added: string[];
  /** Offered before and not now. */
  removed: string[];
  /** Offered before and now, with other fields. */
  changed: string[];
  /** Models whose schema could not be read, and what happened to them. */
  problems: { id: string; problem: string; kept: boolean }[];
};

export type CatalogueFetchErrorKind = 'network' | 'refused' | 'http' | 'invalid';

export class CatalogueFetchError extends Error {
  override name = 'CatalogueFetchError';
  constructor(
    readonly kind: CatalogueFetchErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Largest answer read (the list, or one schema). */
const MAX_ANSWER_CHARS = 10 * 1024 * 1024;
/** Schemas fetched at once. */
const CONCURRENCY = 6;

type Entry = { id: string; aliases: string[]; name?: string; description?: string; docsJson?: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function causeOf(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return err instanceof Error ? err.message : String(err);
}

async function getJson(url: string, options: RefreshOptions): Promise<unknown> {
  const doFetch = options.fetch ?? fetch;
  let res: Response;
  try {
    res = await doFetch(url, {
      headers: {
        accept: 'application/json',
        ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
      },
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
  } catch (err) {
    const timedOut = (err as Error).name === 'TimeoutError';
    throw new CatalogueFetchError(
      'network',
      `could not reach ${url} (${timedOut ? 'timed out' : causeOf(err)})`,
    );
  }
  const text = await res.text();
  if (res.status === 401 || res.status === 403) {
    const hint = options.apiKey ? 'the key was refused' : 'no key was sent: set AIMLAPI_KEY';
    throw new CatalogueFetchError('refused', `${url} answered ${res.status} (${hint})`, res.status);
  }
  if (!res.ok) throw new CatalogueFetchError('http', `${url} answered ${res.status}`, res.status);
  if (text.length > MAX_ANSWER_CHARS)
    throw new CatalogueFetchError('invalid', `${url}: the answer is too large`);
  try {
    return JSON.parse(text);
  } catch {
    throw new CatalogueFetchError('invalid', `${url}: the answer is not JSON`);
  }
}

function readEntries(body: unknown, url: string): Entry[] {
  const list = Array.isArray(body)
    ? body
    : isRecord(body) && Array.isArray(body.data)
      ? body.data
      : undefined;
  if (list === undefined) throw new CatalogueFetchError('invalid', `${url}: expected { data: [models] }`);
  return list.filter(isRecord).flatMap((item): Entry[] => {
    if (typeof item.id !== 'string' || item.id === '') return [];
    const info = isRecord(item.info) ? item.info : {};
    const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
    const entry: Entry = {
      id: item.id,
      aliases: Array.isArray(item.aliases)
        ? item.aliases.filter((a): a is string => typeof a === 'string')
        : [],
    };
    const name = text(info.name);
    const description = text(info.description);
    const docsJson = text(info.docsJson);
    if (name !== undefined) entry.name = name;
    if (description !== undefined) entry.description = description;
    if (docsJson !== undefined) entry.docsJson = docsJson;
    return [entry];
  });
}

/** The create request's body schema in a per-model OpenAPI file (`model` left out, as in the snapshot). */
function requestSchemaOf(doc: unknown, entry: Entry, url: string): ProviderModel {
  const paths = isRecord(doc) && isRecord(doc.paths) ? doc.paths : {};
  const operation = Object.entries(paths)
    .filter(([path]) => path.endsWith('/video/generations'))
    .map(([, item]) => (isRecord(item) && isRecord(item.post) ? item.post : undefined))
    .find((op) => op !== undefined);
  const body = isRecord(operation?.requestBody) ? operation.requestBody : {};
  const content = isRecord(body.content) ? body.content : {};
  const json = isRecord(content['application/json']) ? content['application/json'] : {};
  const schema = isRecord(json.schema) ? json.schema : undefined;
  if (schema === undefined || !isRecord(schema.properties)) {
    throw new Error('no request body schema for POST /v2/video/generations');
  }
  const { model: _model, ...properties } = schema.properties;
  const required = Array.isArray(schema.required) ? schema.required.filter((r) => r !== 'model') : [];
  const [checked] = checkVideoModels({ models: [{ model: entry.id, source: url, required, properties }] });
  return {
    schema: checked!,
    aliases: entry.aliases,
    ...(entry.name !== undefined && { name: entry.name }),
    ...(entry.description !== undefined && { description: entry.description }),
    source: url,
  };
}

async function inBatches<T, R>(items: readonly T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size)
    out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

function findCurrent(current: Catalogue, entry: Entry): CatalogueModel | undefined {
  for (const name of [entry.id, ...entry.aliases]) {
    const found = current.get(name);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Fetches the provider's text-to-video catalogue and every schema, and makes a catalogue of it. */
export async function fetchProviderCatalogue(options: RefreshOptions): Promise<RefreshReport> {
  const base = normalizeBaseUrl(options.baseUrl ?? 'https://api.aimlapi.com');
  const listUrl = `${base}/v1/models?capabilities=text_to_video`;
  const entries = readEntries(await getJson(listUrl, options), listUrl);
  if (entries.length === 0)
    throw new CatalogueFetchError('invalid', `${listUrl}: no text-to-video models listed`);
  const overlay = options.overlay ?? overlayData;
  type Problem = RefreshReport['problems'][number];
  type Built = { model: CatalogueModel; problem?: Problem } | { excluded: ExcludedModel; problem?: Problem };
  const built = await inBatches(entries, CONCURRENCY, async (entry): Promise<Built> => {
    let problem: string;
    if (entry.docsJson === undefined) problem = 'no docsJson link in its catalogue entry';
    else {
      const url = new URL(entry.docsJson, `${base}/`).href;
      try {
        return buildModel(requestSchemaOf(await getJson(url, options), entry, url), overlay);
      } catch (err) {
        problem = `its schema could not be read: ${(err as Error).message}`;
      }
    }
    const kept = findCurrent(options.current, entry);
    const noted = { id: entry.id, problem, kept: kept !== undefined };
    if (kept !== undefined) return { model: kept, problem: noted };
    const excluded: ExcludedModel = { id: entry.id, aliases: entry.aliases, reason: problem };
    return { excluded, problem: noted };
  });
  // In the catalogue's order, whichever schema answered first.
  const problems = built.flatMap((b) => (b.problem === undefined ? [] : [b.problem]));
  if (problems.length === entries.length) {
    // Nothing fresh at all (the docs host is down?): writing the current catalogue again would only
    // pretend it was refreshed.
    throw new CatalogueFetchError(
      'invalid',
      `no model's schema could be read (${entries[0]?.id}: ${problems[0]?.problem})`,
    );
  }
  const models = built.flatMap((b) => ('model' in b ? [b.model] : []));
  const excluded = built.flatMap((b) => ('excluded' in b ? [b.excluded] : []));

  const now = (options.now ?? (() => new Date()))();
  const data: CatalogueData = {
    about: `Fetched by vidq models update from ${listUrl} and each model's docsJson, with the overlay of @vidqueue/aimlapi.`,
    source: { kind: 'provider', url: listUrl, fetchedAt: now.toISOString() },
    models,
    excluded,
  };
  return { data, ...compare(options.current, models), problems };
}

/** JSON with sorted keys: two catalogues read different ways (a zod parse orders keys) compare by content. */
function canonical(value: unknown): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : isRecord(v)
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sort(v[k])]),
          )
        : v;
  return JSON.stringify(sort(value));
}

function compare(current: Catalogue, models: readonly CatalogueModel[]) {
  const matched = new Set<string>();
  const added: string[] = [];
  const changed: string[] = [];
  for (const model of models) {
    const before = findCurrent(current, model);
    if (before === undefined) added.push(model.id);
    else {
      matched.add(before.id);
      if (canonical(before.fields) !== canonical(model.fields)) changed.push(model.id);
    }
  }
  const removed = current.ids.filter((id) => !matched.has(id));
  return { added, removed, changed };
}
