import { z } from 'zod';
import { normalizeBaseUrl } from '@vidqueue/aimlapi';
import { csv, hostEntry, ms, origin } from './config-values.js';
import { sideEffectSettings } from './config-side-effects.js';
import { redisTopologyProblems, redisTopologySettings, resolveQueuePrefix } from './redis-topology.js';
import { webhookUrlProblems } from './webhook-address.js';

/**
 * Every setting vidqueue reads from the environment. Each process reads the whole schema, so a
 * misspelt value fails the same way everywhere. Secret-bearing keys are listed in SECRET_KEYS and
 * are never echoed: errors name the key only.
 */
export const ConfigSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  // REDIS_CLUSTER_NODES, REDIS_PASSWORD, REDIS_WAIT_REPLICAS, REDIS_WAIT_TIMEOUT_MS (redis-topology.ts).
  ...redisTopologySettings,
  /** Default `vidq`, or `{vidq}` with REDIS_CLUSTER_NODES (see resolveQueuePrefix). */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_{}-]+$/, 'letters, digits, _ - { } only')
    .optional(),
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
  /** Checked against the catalogue at start (`loadCatalogue`): an unknown model refuses to start. */
  DEFAULT_MODEL: z.string().min(1).default('sber-ai/kandinsky5-distill-t2v'),
  /**
   * The local catalogue override `vidq models update` writes; loaded at start when present (a bad file
   * is refused and the shipped catalogue kept). Unset: `.data/catalogue.json` in the working directory
   * (`pnpm start`: in its data directory).
   */
  CATALOGUE_FILE: z.string().min(1).optional(),
  API_TOKENS: csv.optional(),
  /**
   * Failed credential checks (a wrong bearer token, dashboard password or web sign-in token) one client IP
   * may make per AUTH_FAILURE_WINDOW_MS. The window starts at the IP's first failure; once it has made this
   * many, every request of it that needs a credential gets 429 TOO_MANY_AUTH_FAILURES (with Retry-After)
   * until that window ends, a right credential included. Successes never count. Kept in memory by each API
   * process (0: no limit).
   */
  AUTH_FAILURE_LIMIT: z.coerce.number().int().min(0).default(30),
  /** The window of AUTH_FAILURE_LIMIT, from an IP's first failed credential check. */
  AUTH_FAILURE_WINDOW_MS: ms().min(100).default(60_000),
  /**
   * Origins (`https://tool.example`) whose pages may send requests to the API besides its own, e.g. the
   * public origin of a reverse proxy that rewrites Host. Every other Origin is refused on state-changing
   * requests (and on every request while the API is open on loopback). No CORS headers are sent.
   */
  ALLOWED_ORIGINS: csv.pipe(z.array(origin())).optional(),
  /**
   * Host headers (`name` or `name:port`) the API answers to besides loopback with its own port, while it
   * is open on loopback (no API_TOKENS): a foreign Host is how DNS rebinding reaches a local server.
   */
  ALLOWED_HOSTS: csv.pipe(z.array(hostEntry())).optional(),
  DASHBOARD_USER: z.string().min(1).default('admin'),
  DASHBOARD_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  MAX_PROMPT_LENGTH: z.coerce.number().int().min(1).default(4000),
  /** Largest accepted batch upload (POST /v1/batches), in bytes. */
  MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(50 * 1024 * 1024),
  /** Whole-request receipt limit (headers and body), Fastify's `requestTimeout`: 408 beyond it. */
  REQUEST_TIMEOUT_MS: ms().min(1000).default(300_000),
  /** A connection with nothing sent or received for this long is closed (Fastify's `connectionTimeout`). */
  CONNECTION_TIMEOUT_MS: ms().min(1000).default(60_000),
  /**
   * The API on SIGTERM/SIGINT stops accepting connections and lets the requests in flight (an upload
   * being received or enqueued) finish for at most this long; then it exits 1 and cuts what is left.
   */
  SHUTDOWN_GRACE_MS: ms().min(1000).default(10_000),
  /** POST /v1/batches: an upload bringing less than this per second over a window is cut with 408 (0: no check). */
  UPLOAD_MIN_BYTES_PER_SEC: z.coerce.number().int().min(0).default(4096),
  /** The window (and the grace period before the first check) of UPLOAD_MIN_BYTES_PER_SEC. */
  UPLOAD_RATE_WINDOW_MS: ms().min(100).default(10_000),
  /** Uploads one API process takes at once; beyond it 503 TOO_MANY_UPLOADS with Retry-After (0: no cap). */
  MAX_CONCURRENT_UPLOADS: z.coerce.number().int().min(0).default(16),
  /** Live event streams (GET /v1/batches/:id/events) held open per API process (503 past it) and per client (429); 0: no cap. */
  MAX_EVENT_STREAMS: z.coerce.number().int().min(0).default(1000),
  MAX_EVENT_STREAMS_PER_CLIENT: z.coerce.number().int().min(0).default(20),
  /** Most data rows in one batch file. */
  MAX_BATCH_ROWS: z.coerce.number().int().min(1).default(100_000),
  /**
   * Fair sharing: batch rows get one BullMQ priority level per this many rows, so batches queued
   * together take turns by this many rows and a single prompt goes before them; 0: no priorities (FIFO).
   */
  FAIR_SHARE_ROWS: z.coerce.number().int().min(0).max(1_000_000).default(100),
  /**
   * How long batch records (counts, per-row results) stay readable after the batch finished (no TTL while
   * rows still run). Under a minute only makes sense in tests.
   */
  BATCH_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .default(7 * 24 * 3600),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(10_000).default(20),
  GENERATION_DEADLINE_MS: ms()
    .min(1000)
    .default(15 * 60_000),
  /**
   * First status check after submission. Unset: 30 s for the fixed schedule, and the adaptive one
   * starts from the catalogue's expected time of the model (see DEFAULT_FIRST_CHECK_MS); set: that
   * delay for every model until its times are learned.
   */
  STATUS_FIRST_CHECK_MS: ms().optional(),
  STATUS_INTERVAL_MS: ms().min(100).default(10_000),
  /** `adaptive`: first check near the learned finish time, then tighter intervals; `fixed`: the two settings above. */
  STATUS_SCHEDULE: z.enum(['adaptive', 'fixed']).default('adaptive'),
  /** Adaptive schedule: shortest gap between two checks once past the expected finish. */
  STATUS_MIN_INTERVAL_MS: ms().min(100).default(2_000),
  SUBMIT_MAX_RETRIES: z.coerce.number().int().min(0).default(8),
  RETRY_BASE_MS: ms().min(10).default(2_000),
  RETRY_MAX_MS: ms().min(10).default(60_000),
  ACCOUNT_PAUSE_MS: ms().min(100).default(60_000),
  /**
   * A create whose outcome is unknown (no answer, a gateway error, a crash after sending):
   * `reconcile` looks the attempt up in the provider's usage logs (adopt the generation, or create again
   * once the logs prove nothing was made); `fail` fails it `submission_unknown`; `resubmit` sends it
   * again, flagged `possible_duplicate`.
   */
  UNKNOWN_OUTCOME_POLICY: z.enum(['reconcile', 'fail', 'resubmit']).default('reconcile'),
  /**
   * How long after an attempt its usage-log row may take to appear (the provider documents no ingestion
   * delay, nor whether a running generation has a row before it completes). Unset:
   * `GENERATION_DEADLINE_MS` + 5 minutes (see `reconcileHorizonMs`).
   */
  RECONCILE_HORIZON_MS: ms().min(1000).optional(),
  /** An attempt the logs still do not show after the horizon: `create` it again (not a duplicate) or `fail` (`submission_unknown`). */
  RECONCILE_NOT_FOUND: z.enum(['create', 'fail']).default('create'),
  /** Usage-log requests per minute across every worker process (the provider allows 200 per 60 s; 0: unlimited). */
  LOGS_RATE_PER_MIN: z.coerce.number().int().min(0).default(150),
  /** A status check answered 404 this soon after submission is retried (a fresh id may not be visible yet). */
  STATUS_NOT_FOUND_GRACE_MS: ms().default(120_000),
  /** After a 403 refused a model for the account, its jobs fail `model_not_allowed` without a call for this long (0: each job asks). */
  MODEL_BLOCK_MS: ms().default(300_000),
  /** Create calls per minute across every worker process (0: unlimited). */
  CREATE_RATE_PER_MIN: z.coerce.number().int().min(0).default(0),
  /** Status calls per minute across every worker process (0: unlimited). */
  STATUS_RATE_PER_MIN: z.coerce.number().int().min(0).default(0),
  /** Generations submitted and not finished at the provider, across every worker (0: no cap). */
  MAX_IN_FLIGHT: z.coerce.number().int().min(0).default(0),
  /**
   * How often the provider's priced catalogue (`GET /v1/models?include=pricing`) is read again, shared
   * by every process through Redis (a conditional read: 304 when nothing changed).
   */
  PRICES_REFRESH_MS: ms()
    .min(1000)
    .default(15 * 60_000),
  /** How long a balance read (`GET /v2/billing`) is reused by the API (0: every time). */
  BALANCE_CACHE_MS: ms().default(30_000),
  /**
   * Spending limit per UTC day in USD across every worker (unset: none): before each create the
   * worker reserves the row's estimated cost against it; over it, rows wait (`paused`) until midnight UTC.
   */
  SPEND_LIMIT_USD_PER_DAY: z.coerce.number().positive().optional(),
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
  ...sideEffectSettings,
  /**
   * What a generation job's own log (Bull Board, `getJobLogs`) keeps: `events`, what is unusual (retries,
   * refusals, pauses, unknown outcomes and their reconciliation, a fresh 404); `all` adds the routine
   * progress (`submitted: …`, `check <n>: <status>`), which the job's data, the metrics and the traces
   * already hold: one more write per step, and one more key per kept job.
   */
  JOB_LOG: z.enum(['events', 'all']).default('events'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: z.stringbool().default(false),
  /** OTLP/HTTP base URL (`http://collector:4318`): set, the API and worker trace; unset, tracing is off. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  /** `service.name` of the spans; default `vidqueue-api` / `vidqueue-worker` / `vidqueue` (pnpm start). */
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
});

export type Config = Omit<z.infer<typeof ConfigSchema>, 'QUEUE_PREFIX'> & { QUEUE_PREFIX: string };

/** The fixed schedule's first check when STATUS_FIRST_CHECK_MS is unset. */
export const DEFAULT_FIRST_CHECK_MS = 30_000;

/** Extra time the usage logs get beyond the generation deadline when `RECONCILE_HORIZON_MS` is unset. */
export const RECONCILE_HORIZON_EXTRA_MS = 5 * 60_000;

/**
 * The reconcile horizon: `RECONCILE_HORIZON_MS`, else `GENERATION_DEADLINE_MS` + 5 minutes. The
 * default covers a provider that writes a generation's row only once it finished (the docs are silent):
 * a generation finishes within the deadline, and its row has 5 more minutes to be ingested.
 */
export function reconcileHorizonMs(
  config: Pick<Config, 'RECONCILE_HORIZON_MS' | 'GENERATION_DEADLINE_MS'>,
): number {
  return config.RECONCILE_HORIZON_MS ?? config.GENERATION_DEADLINE_MS + RECONCILE_HORIZON_EXTRA_MS;
}

/** Keys whose values must never reach logs, Redis, errors or job data. */
export const SECRET_KEYS = [
  'AIMLAPI_KEY',
  'API_TOKENS',
  'DASHBOARD_PASSWORD',
  'REDIS_URL',
  'REDIS_PASSWORD',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'WEBHOOK_SECRET',
] as const;

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
      const key = String(issue.path[0] ?? '');
      // zod messages for strings can quote the received value; keep only the rule for secrets.
      const secret = (SECRET_KEYS as readonly string[]).includes(key);
      return `  ${key}: ${secret ? describeSecretIssue(issue) : describeIssue(issue)}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const problems = [
    ...redisTopologyProblems(result.data),
    ...reconcileProblems(result.data),
    ...webhookUrlProblems(result.data),
  ];
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  return { ...result.data, QUEUE_PREFIX: resolveQueuePrefix(result.data) };
}

/**
 * A reconcile horizon shorter than a create's own timeout: the first lookup (after the timeout) would
 * already be past it, so one empty page of usage logs would "prove" absent a generation the provider may
 * still be making, and the job would be created twice.
 */
function reconcileProblems(config: Pick<Config, 'RECONCILE_HORIZON_MS' | 'AIMLAPI_TIMEOUT_MS'>): string[] {
  const horizon = config.RECONCILE_HORIZON_MS;
  if (horizon === undefined || horizon >= config.AIMLAPI_TIMEOUT_MS) return [];
  return [
    `  RECONCILE_HORIZON_MS: must be at least AIMLAPI_TIMEOUT_MS (${config.AIMLAPI_TIMEOUT_MS}): a create may reach the provider until its request times out, and its usage-log row comes later still`,
  ];
}

/** zod's message, except for a number written with a unit (`15m`, `50MB`) or a fraction, which it words as NaN. */
function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.expected === 'number') {
    return 'must be a plain number (no unit such as ms, s, m or MB)';
  }
  if (issue.code === 'invalid_type' && issue.expected === 'int') return 'must be a whole number';
  return issue.message;
}

function describeSecretIssue(issue: z.core.$ZodIssue): string {
  // Our own regex messages state the rule and never the value.
  if (issue.code === 'invalid_format' && issue.format === 'regex') return issue.message;
  if (issue.code === 'invalid_format') return `is not a valid ${issue.format}`;
  if (issue.code === 'too_small') return issue.message;
  return 'is invalid';
}

/** Base of the URLs we hand out: `PUBLIC_URL`, else the API's own address. No trailing `/`. */
export function publicBaseUrl(config: Pick<Config, 'PUBLIC_URL' | 'HOST' | 'PORT'>): string {
  if (config.PUBLIC_URL) return config.PUBLIC_URL.replace(/\/+$/, '');
  const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  return `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${config.PORT}`;
}
