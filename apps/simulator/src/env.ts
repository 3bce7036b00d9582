import { z } from 'zod';
import { SERVER_ERROR_STATUSES, resolveSettings, type FaultRates, type SimulatorSettings } from './config.js';

const rate = () => z.coerce.number().min(0).max(1).optional();
const flag = () => z.stringbool().optional();
const ms = () => z.coerce.number().int().min(0).optional();
/** `a, b,,c` → ['a', 'b', 'c']. */
const list = () =>
  z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((k) => k.trim())
        .filter((k) => k.length > 0),
    )
    .optional();

/** Every SIM_* variable. Empty values count as unset. */
export const SimulatorEnvSchema = z.object({
  SIM_HOST: z.string().min(1).default('127.0.0.1'),
  SIM_PORT: z.coerce.number().int().min(0).max(65_535).default(4010),
  SIM_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  SIM_API_KEYS: list(),
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
  SIM_FAULT_NO_VIDEO: rate(),
  SIM_FAULT_CREATED_502: rate(),
  SIM_FAULT_CREATED_504: rate(),
  SIM_FAULT_CREATED_524: rate(),
  SIM_FAULT_CREATED_408: rate(),
  SIM_SLOW_MS: ms(),
  SIM_RETRY_AFTER_S: z.coerce.number().int().min(0).optional(),
  SIM_SERVER_ERROR_STATUSES: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((k) => k.trim())
        .filter((k) => k.length > 0)
        .map(Number),
    )
    .pipe(z.array(z.union(SERVER_ERROR_STATUSES.map((s) => z.literal(s)))).min(1))
    .optional(),

  SIM_LEGACY: flag(),
  SIM_ERROR_STYLE: z.enum(['plain', 'problem', 'mixed']).optional(),
  SIM_ID_STYLE: z.enum(['auto', 'model', 'short']).optional(),
  SIM_MAX_GENERATIONS: z.coerce.number().int().min(1).optional(),
  SIM_SEED: z.coerce.number().int().optional(),
  SIM_COST_ON: z.enum(['create', 'completed', 'both']).optional(),
  SIM_FRESH_404_MS: ms(),
  SIM_FILES_EXPIRE_MS: ms(),
  SIM_PENDING_SPELLINGS: list(),
  SIM_UNKNOWN_STATUS_RATE: rate(),
  SIM_FORBIDDEN_MODELS: list(),
  /** `old=new,old2=new2`: models renamed at the provider (see `renamedModels`). */
  SIM_RENAMED_MODELS: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((k) => k.trim())
        .filter((k) => k.length > 0),
    )
    .pipe(z.array(z.string().regex(/^[^=]+=[^=]+$/, 'each entry is old-id=new-id')))
    .transform((pairs) =>
      Object.fromEntries(pairs.map((p) => p.split('=').map((part) => part.trim()) as [string, string])),
    )
    .optional(),
  SIM_LOGS_DELAY_MS: ms(),
  SIM_LOGS_ROW_AT: z.enum(['request', 'completed']).optional(),
  SIM_BALANCE_USD: z.coerce.number().optional(),
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

type Env = z.infer<typeof SimulatorEnvSchema>;

function faultRates(e: Env, side: 'CREATE' | 'STATUS'): FaultRates {
  const pick = (specific: number | undefined, general: number | undefined) => specific ?? general ?? 0;
  const createOnly = (value: number | undefined) => (side === 'CREATE' ? (value ?? 0) : 0);
  return {
    rate_limit: pick(e[`SIM_FAULT_429_${side}`], e.SIM_FAULT_429),
    server_error: pick(e[`SIM_FAULT_5XX_${side}`], e.SIM_FAULT_5XX),
    out_of_credits: createOnly(e.SIM_FAULT_403),
    slow: pick(e[`SIM_FAULT_SLOW_${side}`], e.SIM_FAULT_SLOW),
    drop: pick(e[`SIM_FAULT_DROP_${side}`], e.SIM_FAULT_DROP),
    fail: createOnly(e.SIM_FAULT_FAIL),
    no_video: createOnly(e.SIM_FAULT_NO_VIDEO),
    created_then_502: createOnly(e.SIM_FAULT_CREATED_502),
    created_then_504: createOnly(e.SIM_FAULT_CREATED_504),
    created_then_524: createOnly(e.SIM_FAULT_CREATED_524),
    created_then_408: createOnly(e.SIM_FAULT_CREATED_408),
  };
}

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
  let settings: SimulatorSettings;
  try {
    settings = resolveSettings({
      apiKeys: e.SIM_API_KEYS,
      generationMs: e.SIM_GENERATION_MS,
      scaleByDuration: e.SIM_SCALE_BY_DURATION,
      queuedFraction: e.SIM_QUEUED_FRACTION,
      createFaults: faultRates(e, 'CREATE'),
      statusFaults: faultRates(e, 'STATUS'),
      slowMs: e.SIM_SLOW_MS,
      retryAfterSeconds: e.SIM_RETRY_AFTER_S,
      serverErrorStatuses: e.SIM_SERVER_ERROR_STATUSES,
      legacy: e.SIM_LEGACY,
      errorStyle: e.SIM_ERROR_STYLE,
      idStyle: e.SIM_ID_STYLE,
      publicUrl: e.SIM_PUBLIC_URL,
      maxGenerations: e.SIM_MAX_GENERATIONS,
      seed: e.SIM_SEED,
      costOn: e.SIM_COST_ON,
      fresh404Ms: e.SIM_FRESH_404_MS,
      filesExpireMs: e.SIM_FILES_EXPIRE_MS,
      pendingSpellings: e.SIM_PENDING_SPELLINGS,
      unknownStatusRate: e.SIM_UNKNOWN_STATUS_RATE,
      forbiddenModels: e.SIM_FORBIDDEN_MODELS,
      renamedModels: e.SIM_RENAMED_MODELS,
      logsDelayMs: e.SIM_LOGS_DELAY_MS,
      logsRowAt: e.SIM_LOGS_ROW_AT,
      balanceUsd: e.SIM_BALANCE_USD,
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
