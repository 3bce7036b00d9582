import { z } from 'zod';
import { normalizeBaseUrl } from '@vidqueue/aimlapi';

/** Milliseconds, given as a plain integer. */
const ms = () => z.coerce.number().int().min(0);
const csv = z.string().transform((s) =>
  s
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t.length > 0),
);

/**
 * Every setting vidqueue reads from the environment. Each process reads the whole schema, so a
 * misspelt value fails the same way everywhere. Secret-bearing keys are listed in SECRET_KEYS and
 * are never echoed: errors name the key only.
 */
export const ConfigSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_{}-]+$/, 'letters, digits, _ - { } only')
    .default('vidq'),
  AIMLAPI_KEY: z.string().min(1).optional(),
  /** Normalised: a trailing `/`, `/v1` or `/v2` is dropped; an endpoint URL is refused (see normalizeBaseUrl). */
  AIMLAPI_BASE_URL: z
    .string()
    .default('https://api.aimlapi.com')
    .transform((raw, ctx) => {
      try {
        return normalizeBaseUrl(raw);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
  AIMLAPI_TIMEOUT_MS: ms().min(1000).default(30_000),
  DEFAULT_MODEL: z.string().min(1).default('sber-ai/kandinsky5-distill-t2v'),
  API_TOKENS: csv.optional(),
  DASHBOARD_USER: z.string().min(1).default('admin'),
  DASHBOARD_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  MAX_PROMPT_LENGTH: z.coerce.number().int().min(1).default(4000),
  /** Largest accepted batch upload (POST /v1/batches), in bytes. */
  MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(50 * 1024 * 1024),
  /** Most data rows in one batch file. */
  MAX_BATCH_ROWS: z.coerce.number().int().min(1).default(100_000),
  /** How long batch records (counts, per-row results) stay readable after their last change. */
  BATCH_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .default(7 * 24 * 3600),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(10_000).default(20),
  GENERATION_DEADLINE_MS: ms()
    .min(1000)
    .default(15 * 60_000),
  STATUS_FIRST_CHECK_MS: ms().default(30_000),
  STATUS_INTERVAL_MS: ms().min(100).default(10_000),
  /** `adaptive`: first check near the learned finish time, then tighter intervals; `fixed`: the two settings above. */
  STATUS_SCHEDULE: z.enum(['adaptive', 'fixed']).default('adaptive'),
  /** Adaptive schedule: shortest gap between two checks once past the expected finish. */
  STATUS_MIN_INTERVAL_MS: ms().min(100).default(2_000),
  SUBMIT_MAX_RETRIES: z.coerce.number().int().min(0).default(8),
  RETRY_BASE_MS: ms().min(10).default(2_000),
  RETRY_MAX_MS: ms().min(10).default(60_000),
  ACCOUNT_PAUSE_MS: ms().min(100).default(60_000),
  UNKNOWN_OUTCOME_POLICY: z.enum(['fail', 'resubmit']).default('fail'),
  /** Create calls per minute across every worker process (0: unlimited). */
  CREATE_RATE_PER_MIN: z.coerce.number().int().min(0).default(0),
  /** Status calls per minute across every worker process (0: unlimited). */
  STATUS_RATE_PER_MIN: z.coerce.number().int().min(0).default(0),
  /** Generations submitted and not finished at the provider, across every worker (0: no cap). */
  MAX_IN_FLIGHT: z.coerce.number().int().min(0).default(0),
  /** Bull Board without its write actions (retry, promote, clean, delete). */
  DASHBOARD_READ_ONLY: z.stringbool().default(false),
  KEEP_COMPLETED_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .default(7 * 24 * 3600),
  KEEP_COMPLETED_COUNT: z.coerce.number().int().min(1).default(100_000),
  KEEP_FAILED_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .default(14 * 24 * 3600),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: z.stringbool().default(false),
});

export type Config = z.infer<typeof ConfigSchema>;

/** Keys whose values must never reach logs, Redis, errors or job data. */
export const SECRET_KEYS = ['AIMLAPI_KEY', 'API_TOKENS', 'DASHBOARD_PASSWORD', 'REDIS_URL'] as const;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment. Throws a ConfigError that names each bad key and never its value. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings mean "unset": `FOO= pnpm start` should not fail validation.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = ConfigSchema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const key = issue.path.join('.');
      // zod messages for strings can quote the received value; keep only the rule for secrets.
      const secret = (SECRET_KEYS as readonly string[]).includes(key);
      return `  ${key}: ${secret ? describeSecretIssue(issue) : issue.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}

function describeSecretIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_format') return `is not a valid ${issue.format}`;
  if (issue.code === 'too_small') return issue.message;
  return 'is invalid';
}
