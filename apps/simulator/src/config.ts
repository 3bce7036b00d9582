/**
 * The simulator's settings: types, defaults and how options merge over them. The SIM_* environment is
 * read in env.ts, the JSON of `POST /sim/config` is checked in options-schema.ts.
 */

/**
 * Fault kinds. `out_of_credits`, `fail`, `no_video` and the `created_then_*` kinds only apply to creates;
 * status checks ignore them. `no_video`: the generation completes (and is billed) but its answers carry
 * no video (`video: null`): the reference guarantees only `id` and `status`. `created_then_<status>`: the generation IS created (and billed once it completes)
 * but the answer is a gateway error, so the caller cannot know.
 */
export const FAULT_NAMES = [
  'rate_limit',
  'server_error',
  'out_of_credits',
  'slow',
  'drop',
  'fail',
  'no_video',
  'created_then_502',
  'created_then_504',
  'created_then_524',
  'created_then_408',
] as const;
export type FaultName = (typeof FAULT_NAMES)[number];
/** The server errors the reference lists: 500, 502, 503 ("server, partner or maintenance error"), 504 ("Generation timeout"). */
export const SERVER_ERROR_STATUSES = [500, 502, 503, 504] as const;
export type ServerErrorStatus = (typeof SERVER_ERROR_STATUSES)[number];

/** Probability (0..1) of each fault per request. */
export type FaultRates = Record<FaultName, number>;

/** The faults that happen after the generation was created: the answer is lost or is an error. */
export const CREATED_THEN_FAULTS = [
  'created_then_502',
  'created_then_504',
  'created_then_524',
  'created_then_408',
] as const satisfies readonly FaultName[];
export type CreatedThenFault = (typeof CREATED_THEN_FAULTS)[number];

/** How fault error bodies look: the plain envelope, `application/problem+json`, or both in turn. */
export type ErrorStyle = 'plain' | 'problem' | 'mixed';

export type MsRange = { min: number; max: number };

/** Generation id shape: `auto` gives Kandinsky models `<uuid>:<model>` and others short ids. */
export type IdStyle = 'auto' | 'model' | 'short';

/** Where a generation's charge is reported: the create answer, the completed poll answers, or both. */
export type CostOn = 'create' | 'completed' | 'both';

/** When a create's row shows in `GET /v2/logs`: from the request, or once the generation finished. */
export type LogsRowAt = 'request' | 'completed';

/** The simulator's behaviour, fully resolved. Everything here can be changed at run time (`configure`). */
export type SimulatorSettings = {
  /** Accepted keys; empty: any non-empty bearer key is accepted. */
  apiKeys: string[];
  /** Generation time, drawn uniformly from [min, max] per generation. */
  generationMs: MsRange;
  /** Multiply the generation time by duration / 5 s (a 10 s clip takes twice as long). */
  scaleByDuration: boolean;
  /** Share of the generation time reported as `queued` before `generating`. */
  queuedFraction: number;
  createFaults: FaultRates;
  statusFaults: FaultRates;
  /** Delay of a `slow` answer. */
  slowMs: number;
  /** `Retry-After` seconds sent with a 429. */
  retryAfterSeconds: number;
  /** The statuses a `server_error` fault draws from, in equal shares (the reference's 500, 502, 503, 504). */
  serverErrorStatuses: ServerErrorStatus[];
  /** Older spellings: `generation_id`, waiting/active/processing, succeeded, 201 on create. */
  legacy: boolean;
  errorStyle: ErrorStyle;
  idStyle: IdStyle;
  /** Base of the video URLs handed out; default: the Host the request came to. */
  publicUrl?: string | undefined;
  /** Oldest generations (and usage-log rows) are forgotten beyond this many. */
  maxGenerations: number;
  /** Seed for the fault and timing dice; unset: Math.random. */
  seed?: number | undefined;
  /** Where the charge is reported (`meta.usage` and the x-aimlapi-* headers). */
  costOn: CostOn;
  /** A poll of a generation younger than this answers 404 (eventual consistency); 0: never. */
  fresh404Ms: number;
  /** A completed generation's file answers 410 this long after it completed (expired CDN links); 0: never. */
  filesExpireMs: number;
  /** Pending statuses drawn per generation and poll from this list; empty: queued then generating. */
  pendingSpellings: string[];
  /** Share of pending polls answered with a made-up status (see UNKNOWN_STATUSES). */
  unknownStatusRate: number;
  /** Creates for these model ids (or aliases) answer 403 "not available on your plan". */
  forbiddenModels: string[];
  /**
   * Models renamed at the provider, old id → new id: the catalogue lists each under its new id with the
   * old one among its aliases, creates take either name, and usage-log rows carry the new id (the
   * reference: "A model may live on under an alias after its id changed").
   */
  renamedModels: Record<string, string>;
  /** A usage-log row becomes visible only this long after it was recorded. */
  logsDelayMs: number;
  logsRowAt: LogsRowAt;
  /** Starting balance in USD (`GET /v2/billing`); at 0 or below, creates answer 403 out of credits. */
  balanceUsd: number;
};

/** Options of buildSimulator/startSimulator: any subset of the settings, with friendlier shapes. */
export type SimulatorOptions = Partial<
  Omit<SimulatorSettings, 'generationMs' | 'createFaults' | 'statusFaults'>
> & {
  /** A number, `"min-max"`, or `{ min, max }` in milliseconds. */
  generationMs?: number | string | MsRange;
  /** Rates for creates and status checks alike. */
  faults?: Partial<FaultRates>;
  /** Overrides of `faults` for creates only. */
  createFaults?: Partial<FaultRates>;
  /** Overrides of `faults` for status checks only. */
  statusFaults?: Partial<FaultRates>;
};

export const NO_FAULTS: FaultRates = Object.freeze(
  Object.fromEntries(FAULT_NAMES.map((name) => [name, 0])) as FaultRates,
);

export const DEFAULT_SETTINGS: SimulatorSettings = Object.freeze({
  apiKeys: [],
  generationMs: { min: 30_000, max: 60_000 },
  scaleByDuration: false,
  queuedFraction: 0.15,
  createFaults: NO_FAULTS,
  statusFaults: NO_FAULTS,
  slowMs: 3_000,
  retryAfterSeconds: 1,
  serverErrorStatuses: [...SERVER_ERROR_STATUSES],
  legacy: false,
  errorStyle: 'mixed',
  idStyle: 'auto',
  maxGenerations: 100_000,
  costOn: 'both',
  fresh404Ms: 0,
  filesExpireMs: 0,
  pendingSpellings: [],
  unknownStatusRate: 0,
  forbiddenModels: [],
  renamedModels: {},
  logsDelayMs: 0,
  logsRowAt: 'request',
  // Large: the capacity benchmark alone spends 10 000 x 0.10 USD.
  balanceUsd: 1_000_000,
});

/** `"300"` or `"30000-60000"` as a range; throws on anything else. */
export function parseMsRange(value: number | string | MsRange): MsRange {
  if (typeof value === 'object') return checkRange(value.min, value.max);
  if (typeof value === 'number') return checkRange(value, value);
  const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(value);
  if (!m) throw new Error('expected milliseconds as "N" or "MIN-MAX"');
  const min = Number(m[1]);
  return checkRange(min, m[2] === undefined ? min : Number(m[2]));
}

function checkRange(min: number, max: number): MsRange {
  if (!Number.isFinite(min) || !Number.isFinite(max) || min < 0 || max < min) {
    throw new Error('expected 0 <= min <= max milliseconds');
  }
  return { min, max };
}

const SCALAR_KEYS = [
  'apiKeys',
  'scaleByDuration',
  'queuedFraction',
  'slowMs',
  'retryAfterSeconds',
  'serverErrorStatuses',
  'legacy',
  'errorStyle',
  'idStyle',
  'publicUrl',
  'maxGenerations',
  'seed',
  'costOn',
  'fresh404Ms',
  'filesExpireMs',
  'pendingSpellings',
  'unknownStatusRate',
  'forbiddenModels',
  'renamedModels',
  'logsDelayMs',
  'logsRowAt',
  'balanceUsd',
] as const satisfies readonly (keyof SimulatorSettings)[];

function checkShare(value: number, what: string): void {
  if (!(value >= 0 && value <= 1)) throw new Error(`${what} must be between 0 and 1`);
}

/** Merges options over a base (the defaults, or the current settings for `configure`). */
export function resolveSettings(options: SimulatorOptions = {}, base: SimulatorSettings = DEFAULT_SETTINGS) {
  const { generationMs, faults, createFaults, statusFaults } = options;
  // Only known settings are taken: a SimulatorConfig (with host, port...) can be passed as options.
  const defined = Object.fromEntries(
    SCALAR_KEYS.filter((k) => options[k] !== undefined).map((k) => [k, options[k]]),
  ) as Partial<SimulatorSettings>;
  const settings: SimulatorSettings = {
    ...base,
    ...defined,
    generationMs: generationMs === undefined ? base.generationMs : parseMsRange(generationMs),
    createFaults: { ...base.createFaults, ...faults, ...createFaults },
    statusFaults: { ...base.statusFaults, ...faults, ...statusFaults },
  };
  for (const rates of [settings.createFaults, settings.statusFaults]) {
    for (const name of FAULT_NAMES) checkShare(rates[name], `fault rate ${name}`);
  }
  checkShare(settings.queuedFraction, 'queuedFraction');
  checkShare(settings.unknownStatusRate, 'unknownStatusRate');
  for (const key of ['fresh404Ms', 'filesExpireMs', 'logsDelayMs'] as const) {
    if (!(settings[key] >= 0)) throw new Error(`${key} must be 0 or more milliseconds`);
  }
  if (!Number.isFinite(settings.balanceUsd)) throw new Error('balanceUsd must be a number of USD');
  return settings;
}
