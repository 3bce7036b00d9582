import type { RedisConnection } from '@vidqueue/core/runtime';
import type { Catalogue } from '@vidqueue/aimlapi';
import {
  FailureCode,
  formatUsd,
  nextUtcMidnight,
  utcDay,
  vidqKeys,
  type BudgetPause,
  type GenerationJob,
  type GenerationJobData,
} from '@vidqueue/core/contract';
import type { Config } from '@vidqueue/core/runtime';
import { createSpendLedger, quoteInput, type PriceBook, type SpendLedger } from '@vidqueue/core/store';
import type { ProcessorHooks } from './hooks.js';
import type { Random } from './schedule.js';

export type SpendCapsConfig = Pick<
  Config,
  'QUEUE_PREFIX' | 'SPEND_LIMIT_USD_PER_DAY' | 'BATCH_TTL_SECONDS' | 'PRICES_REFRESH_MS'
>;

/** Go ahead (the job holds its reservation when a cap applies), or wait paused until `pause.until`. */
export type SpendDecision = { go: true } | { go: false; pause: BudgetPause & { until: number } };

/**
 * A batch row paused by its batch's cap looks again after this long; `PATCH /v1/batches/:id` (a raised
 * cap) runs it at once, and a cancel too.
 */
export const BATCH_CAP_RECHECK_MS = 10 * 60_000;
/** A price that could not be told, or over the video's own cap, is looked at again no sooner than this. */
export const PRICE_RECHECK_MIN_MS = 60_000;

export type SpendCaps = {
  /**
   * Whether a create of this job goes through `beforeCreate` (a daily limit is set, the job is a batch
   * row, or the video has its own cap); the run's first script then never claims `submitting` itself.
   */
  applies(data: GenerationJobData): boolean;
  /**
   * Before a create call: reserves the job's estimated cost (the catalogue's price of its effective
   * request) against every cap that applies, atomically (`spend-reserve.lua`), or says why and until
   * when the job waits. A job that already holds its reservation (a re-run) goes ahead.
   */
  beforeCreate(jobId: string, data: GenerationJobData): Promise<SpendDecision>;
  /** Settle (the actual cost replaces the estimate) and release (a certain failure) reservations. */
  hooks: ProcessorHooks;
  ledger: SpendLedger;
};

const GO: SpendDecision = { go: true };

/**
 * True when a failure proves nothing was (or will be) billed: the provider failed the generation (failed
 * generations are never charged; with a possible duplicate the other one may be) or says it never had
 * it (`generation_not_found`), or the create never
 * left (the job is still `pending`, no generation id, nothing in doubt). Anything else (a cancel while
 * checking, a deadline, an unknown outcome) keeps the reservation: the provider may still charge it.
 */
function certainlyUnbilled(data: Partial<GenerationJobData>, code: string): boolean {
  if (data.possibleDuplicate) return false;
  if (code === FailureCode.GenerationFailed) return true;
  // The provider says it never had the generation (404 past the grace): nothing of it will be billed.
  if (code === FailureCode.GenerationNotFound) return true;
  return (data.step ?? 'pending') === 'pending' && data.generationId === undefined && !data.recovered;
}

/**
 * The spending caps a worker keeps before each create: the batch's `max_cost_usd`, the video's own
 * `max_cost_usd` and `SPEND_LIMIT_USD_PER_DAY` (the UTC day). Prices come from the shared price list.
 * Unpriced requests under a cap wait (`price_unknown`): vidqueue cannot keep a cap for a cost it cannot
 * tell (the producer refuses them at upload; this catches a price that went away since).
 */
export function createSpendCaps(options: {
  config: SpendCapsConfig;
  redis: RedisConnection;
  prices: PriceBook;
  /**
   * The models whose defaults fill in what a job's request left out before it is priced (the worker's
   * own catalogue, the one its producer checked against; default: the shipped one).
   */
  catalogue?: Catalogue;
  now?: () => number;
  random?: Random;
}): SpendCaps {
  const { config, redis, prices } = options;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const keys = vidqKeys(config.QUEUE_PREFIX);
  const daily = config.SPEND_LIMIT_USD_PER_DAY;
  // A reservation lives as long as the batch record could (a retried row gets a new job id).
  const ledger = createSpendLedger(redis, config.QUEUE_PREFIX, config.BATCH_TTL_SECONDS);
  const priceRecheckMs = Math.max(config.PRICES_REFRESH_MS, PRICE_RECHECK_MIN_MS);

  const wait = (pause: Omit<BudgetPause, 'since' | 'until'>, untilMs: number): SpendDecision => ({
    go: false,
    pause: { ...pause, since: now(), until: untilMs },
  });

  async function batchCap(batchId: string): Promise<number | undefined> {
    const raw = await redis.hget(keys.batch(batchId).meta, 'max_cost_micro_usd');
    return raw === null ? undefined : Number(raw) / 1e6;
  }

  const applies = (data: Partial<GenerationJobData>) =>
    daily !== undefined || data.batchId !== undefined || data.maxCostUsd !== undefined;
  /**
   * Whether the job may hold a reservation to settle or release: only one a cap applied to when it was
   * created (`applies`), so a job no cap applies to costs no Redis read (two per video before). A job
   * reserved under a daily limit this process does not have (a worker started with another config)
   * keeps its estimate in that day's ledger instead of the actual cost.
   */
  const mayHold = (job: GenerationJob) => job.id !== undefined && applies(job.data);

  return {
    ledger,
    applies,

    async beforeCreate(jobId, data) {
      const { batchId, maxCostUsd: own } = data;
      if (batchId === undefined && daily === undefined && own === undefined) return GO;
      const table = await prices.table();
      const usd = quoteInput(table, data.input, options.catalogue);
      if (usd === null) {
        const cap = own !== undefined ? 'video' : daily !== undefined ? 'daily' : 'batch';
        if (cap === 'batch' && (batchId === undefined || (await batchCap(batchId)) === undefined)) return GO;
        const why =
          table === undefined
            ? "the provider's price list could not be read yet"
            : `no price can be told ahead for ${data.input.model}`;
        return wait(
          {
            reason: 'price_unknown',
            cap,
            message: `a spending cap applies (${cap}) but ${why}: not submitted, looked at again when prices are read`,
          },
          now() + (table === undefined ? PRICE_RECHECK_MIN_MS : priceRecheckMs),
        );
      }
      if (own !== undefined && usd > own) {
        return wait(
          {
            reason: 'budget_exceeded',
            cap: 'video',
            message: `estimated at ${formatUsd(usd)} by today's prices, over the video's max_cost_usd of ${formatUsd(own)}`,
          },
          now() + priceRecheckMs,
        );
      }
      if (batchId === undefined && daily === undefined) return GO;
      const at = now();
      const reserved = await ledger.reserve({
        jobId,
        amountUsd: usd,
        batchId,
        dailyLimitUsd: daily,
        day: utcDay(at),
      });
      if (reserved.kind !== 'over') return GO;
      const { limitUsd, committedUsd } = reserved;
      if (reserved.cap === 'daily') {
        const midnight = nextUtcMidnight(at);
        return wait(
          {
            reason: 'budget_exceeded',
            cap: 'daily',
            message: `SPEND_LIMIT_USD_PER_DAY of ${formatUsd(limitUsd)}: ${formatUsd(committedUsd)} committed on ${utcDay(at)} (UTC), this row needs ${formatUsd(usd)}; waits for the next UTC day`,
          },
          // Spread over the first minute of the day so paused rows do not all wake at once.
          midnight + Math.round(random() * 60_000),
        );
      }
      return wait(
        {
          reason: 'budget_exceeded',
          cap: 'batch',
          message: `the batch's max_cost_usd of ${formatUsd(limitUsd)}: ${formatUsd(committedUsd)} committed, this row needs ${formatUsd(usd)}; raise it with PATCH /v1/batches/${batchId ?? ''} (vidq set-cap)`,
        },
        at + BATCH_CAP_RECHECK_MS,
      );
    },

    hooks: {
      submitted: async (job, info) => {
        if (mayHold(job) && (info.costUsd ?? 0) > 0) await ledger.settle(job.id!, info.costUsd!);
      },
      checked: async (job, info) => {
        if (mayHold(job) && (info.costUsd ?? 0) > 0) await ledger.settle(job.id!, info.costUsd!);
      },
      completed: async (job, result) => {
        if (mayHold(job) && (result.costUsd ?? 0) > 0) await ledger.settle(job.id!, result.costUsd!);
      },
      failed: async (job: GenerationJob, failure) => {
        if (mayHold(job) && certainlyUnbilled(job.data, failure.code)) await ledger.release(job.id!);
      },
    },
  };
}
