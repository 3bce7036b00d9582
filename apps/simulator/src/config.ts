import { z } from 'zod';

/** Fault kinds. `out_of_credits` and `fail` only make sense for creates; status checks ignore them. */
export const FAULT_NAMES = ['rate_limit', 'server_error', 'out_of_credits', 'slow', 'drop', 'fail'] as const;
export type FaultName = (typeof FAULT_NAMES)[number];
/** Probability (0..1) of each fault per request. */
export type FaultRates = Record<FaultName, number>;

/** How fault error bodies look: the plain envelope, `application/problem+json`, or both in turn. */
export type ErrorStyle = 'plain' | 'problem' | 'mixed';

export type MsRange = { min: number; max: number };

/** Generation id shape: `auto` gives Kandinsky models `<uuid>:<model>` and others short ids. */
export type IdStyle = 'auto' | 'model' | 'short';

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
  /** Older spellings: `generation_id`, waiting/active/processing, succeeded, 201 on create. */
  legacy: boolean;
  errorStyle: ErrorStyle;
  idStyle: IdStyle;
  /** Base of the video URLs handed out; default: the Host the request came to. */
  publicUrl?: string | undefined;
  /** Oldest generations are forgotten beyond this many. */
  maxGenerations: number;
  /** Seed for the fault and timing dice; unset: Math.random. */
  seed?: number | undefined;
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

export const NO_FAULTS: FaultRates = Object.freeze({
  rate_limit: 0,
  server_error: 0,
  out_of_credits: 0,
  slow: 0,
  drop: 0,
  fail: 0,
});

export const DEFAULT_SETTINGS: SimulatorSettings = Object.freeze({
  apiKeys: [],
  generationMs: { min: 30_000, max: 60_000 },
  scaleByDuration: false,
  queuedFraction: 0.15,
  createFaults: NO_FAULTS,
  statusFaults: NO_FAULTS,
  slowMs: 3_000,
  retryAfterSeconds: 1,
  legacy: false,
  errorStyle: 'mixed',
  idStyle: 'auto',
  maxGenerations: 100_000,
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
  'legacy',
  'errorStyle',
  'idStyle',
  'publicUrl',
  'maxGenerations',
  'seed',
] as const satisfies readonly (keyof SimulatorSettings)[];

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
    for (const name of FAULT_NAMES) {
      const rate = rates[name];
      if (!(rate >= 0 && rate <= 1)) throw new Error(`fault rate ${name} must be between 0 and 1`);
    }
  }
  if (!(settings.queuedFraction >= 0 && settings.queuedFraction <= 1)) {
    throw new Error('queuedFraction must be between 0 and 1');
  }
  return settings;
}

const rate = () => z.coerce.number().min(0).max(1).optional();
const flag = () => z.stringbool().optional();

/** Every SIM_* variable. Empty values count as unset. */
export const SimulatorEnvSchema = z.object({
  SIM_HOST: z.string().min(1).default('127.0.0.1'),
  SIM_PORT: z.coerce.number().int().min(0).max(65_535).default(4010),
  SIM_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  SIM_API_KEYS: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((k) => k.trim())
        .filter((k) => k.length > 0),
    )
    .optional(),
  SIM_GENERATION_MS: z
    .string()
    .regex(/^\s*\d+\s*(-\s*\d+\s*)?$/, 'expected milliseconds as "N" or "MIN-MAX"')
    .optional(),
  SIM_SCALE_BY_DURATION: flag(),
  SIM_QUEUED_FRACTION: rate(),
  SIM_FAULT_429: rate(),
  SIM_FAULT_429_CREATE: rate(),
  SIM_FAULT_429_STATUS: rate(),
  SIM_FAULT_5XX: rate(),
  SIM_FAULT_5XX_CREATE: rate(),
  SIM_FAULT_5XX_STATUS: rate(),
  SIM_FAULT_403: rate(),
  SIM_FAULT_SLOW: rate(),
  SIM_FAULT_SLOW_CREATE: rate(),
  SIM_FAULT_SLOW_STATUS: rate(),
  SIM_FAULT_DROP: rate(),
  SIM_FAULT_DROP_CREATE: rate(),
  SIM_FAULT_DROP_STATUS: rate(),
  SIM_FAULT_FAIL: rate(),
  SIM_SLOW_MS: z.coerce.number().int().min(0).optional(),
  SIM_RETRY_AFTER_S: z.coerce.number().int().min(0).optional(),
  SIM_LEGACY: flag(),
  SIM_ERROR_STYLE: z.enum(['plain', 'problem', 'mixed']).optional(),
  SIM_ID_STYLE: z.enum(['auto', 'model', 'short']).optional(),
  SIM_MAX_GENERATIONS: z.coerce.number().int().min(1).optional(),
  SIM_SEED: z.coerce.number().int().optional(),
  SIM_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SIM_LOG_PRETTY: z.stringbool().default(false),
});

export type SimulatorConfig = SimulatorSettings & {
  host: string;
  port: number;
  logLevel: z.infer<typeof SimulatorEnvSchema>['SIM_LOG_LEVEL'];
  logPretty: boolean;
};

export class SimulatorConfigError extends Error {
  override name = 'SimulatorConfigError';
}

const SECRET_KEYS: ReadonlySet<string> = new Set(['SIM_API_KEYS']);

/** Reads the SIM_* variables. Throws a SimulatorConfigError naming each bad key, never a secret value. */
export function loadSimulatorConfig(env: NodeJS.ProcessEnv = process.env): SimulatorConfig {
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => k.startsWith('SIM_') && v !== undefined && v.trim() !== ''),
  );
  const parsed = SimulatorEnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const key = issue.path.join('.');
      return `  ${key}: ${SECRET_KEYS.has(key) ? 'invalid value' : issue.message}`;
    });
    throw new SimulatorConfigError(`Invalid simulator configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const pick = (specific: number | undefined, general: number | undefined, fallback = 0) =>
    specific ?? general ?? fallback;
  const faults = (side: 'CREATE' | 'STATUS'): FaultRates => ({
    rate_limit: pick(e[`SIM_FAULT_429_${side}`], e.SIM_FAULT_429),
    server_error: pick(e[`SIM_FAULT_5XX_${side}`], e.SIM_FAULT_5XX),
    out_of_credits: side === 'CREATE' ? pick(undefined, e.SIM_FAULT_403) : 0,
    slow: pick(e[`SIM_FAULT_SLOW_${side}`], e.SIM_FAULT_SLOW),
    drop: pick(e[`SIM_FAULT_DROP_${side}`], e.SIM_FAULT_DROP),
    fail: side === 'CREATE' ? pick(undefined, e.SIM_FAULT_FAIL) : 0,
  });
  let settings: SimulatorSettings;
  try {
    settings = resolveSettings({
      apiKeys: e.SIM_API_KEYS,
      generationMs: e.SIM_GENERATION_MS,
      scaleByDuration: e.SIM_SCALE_BY_DURATION,
      queuedFraction: e.SIM_QUEUED_FRACTION,
      createFaults: faults('CREATE'),
      statusFaults: faults('STATUS'),
      slowMs: e.SIM_SLOW_MS,
      retryAfterSeconds: e.SIM_RETRY_AFTER_S,
      legacy: e.SIM_LEGACY,
      errorStyle: e.SIM_ERROR_STYLE,
      idStyle: e.SIM_ID_STYLE,
      publicUrl: e.SIM_PUBLIC_URL,
      maxGenerations: e.SIM_MAX_GENERATIONS,
      seed: e.SIM_SEED,
    });
  } catch (err) {
    throw new SimulatorConfigError(`Invalid simulator configuration:\n  ${(err as Error).message}`);
  }
  return {
    ...settings,
    host: e.SIM_HOST,
    port: e.SIM_PORT,
    logLevel: e.SIM_LOG_LEVEL,
    logPretty: e.SIM_LOG_PRETTY,
  };
}

const faultRatesSchema = z
  .object(
    Object.fromEntries(FAULT_NAMES.map((name) => [name, z.number().min(0).max(1)])) as Record<
      FaultName,
      z.ZodNumber
    >,
  )
  .partial()
  .strict();

/** The options as JSON (for `POST /sim/config`): the same fields as SimulatorOptions, checked. */
export const SimulatorOptionsSchema = z
  .object({
    apiKeys: z.array(z.string().min(1)),
    generationMs: z.union([
      z.number().int().min(0),
      z.string(),
      z.object({ min: z.number().int().min(0), max: z.number().int().min(0) }),
    ]),
    scaleByDuration: z.boolean(),
    queuedFraction: z.number().min(0).max(1),
    faults: faultRatesSchema,
    createFaults: faultRatesSchema,
    statusFaults: faultRatesSchema,
    slowMs: z.number().int().min(0),
    retryAfterSeconds: z.number().int().min(0),
    legacy: z.boolean(),
    errorStyle: z.enum(['plain', 'problem', 'mixed']),
    idStyle: z.enum(['auto', 'model', 'short']),
    publicUrl: z.url({ protocol: /^https?$/ }),
    maxGenerations: z.number().int().min(1),
    seed: z.number().int(),
  })
  .partial()
  .strict();
