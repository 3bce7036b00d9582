/**
 * The spending ledger behind the caps (`scripts/lua/spend-*.lua`): a job reserves its estimated cost
 * before its create call, against the batch's `max_cost_usd` and the day's `SPEND_LIMIT_USD_PER_DAY`
 * at once; the actual cost replaces the estimate once the provider reports it; a certain failure gives
 * it back. Each job's reservation is a hash of its own, so every step is applied once whatever a crash
 * replays. Amounts are integer micro-dollars in Redis.
 *
 * Keys: `reservation(jobId)` { state: reserved|settled|released, amount, actual, day, batch };
 * `spendDay(YYYY-MM-DD)` { reserved, spent } (the UTC day the reservation was made in: a generation
 * reserved at 23:59 and billed at 00:01 counts on the earlier day); the batch's meta hash
 * { reserved_micro_usd, spent_micro_usd } next to its `max_cost_micro_usd`.
 */
import type { RedisConnection } from '../runtime/connection.js';
import { fromMicroUsd, toMicroUsd } from '../contract/budget.js';
import { vidqKeys } from '../contract/keys.js';
import { scripts } from './scripts/index.js';

export type ReserveRequest = {
  jobId: string;
  amountUsd: number;
  /** The batch the job is a row of: its cap applies, and its committed amount moves. */
  batchId?: string | undefined;
  /** SPEND_LIMIT_USD_PER_DAY, when set. */
  dailyLimitUsd?: number | undefined;
  /** The UTC day (`YYYY-MM-DD`) the reservation counts in. */
  day: string;
};

export type ReserveResult =
  | { kind: 'held' | 'reserved' }
  | { kind: 'over'; cap: 'daily' | 'batch'; limitUsd: number; committedUsd: number };

export type SpendLedger = ReturnType<typeof createSpendLedger>;

/** The day's hash outlives the day by two (a late settle still finds it). */
const DAY_TTL_SECONDS = 3 * 24 * 3600;

export function createSpendLedger(redis: RedisConnection, prefix: string, reservationTtlSeconds: number) {
  const keys = vidqKeys(prefix);

  async function settleWith(jobId: string, mode: 'actual' | 'release', actualMicro = 0): Promise<string> {
    const key = keys.reservation(jobId);
    const [day, batch] = await redis.hmget(key, 'day', 'batch');
    if (day === null || day === undefined) return ''; // the job holds no reservation
    const result = await scripts['spend-settle'].run(
      redis,
      // An absent key travels as the reservation's own (never '': slot 0, CROSSSLOT on a cluster).
      [key, day === '' ? key : keys.spendDay(day), batch ? keys.batch(batch).meta : key],
      [mode, actualMicro],
    );
    return String(result);
  }

  return {
    /** Reserves the job's estimate against every cap that applies, or says which cap refuses it. */
    async reserve(request: ReserveRequest): Promise<ReserveResult> {
      const daily = request.dailyLimitUsd !== undefined;
      const reply = (await scripts['spend-reserve'].run(
        redis,
        [
          keys.reservation(request.jobId),
          daily ? keys.spendDay(request.day) : keys.reservation(request.jobId),
          request.batchId === undefined ? keys.reservation(request.jobId) : keys.batch(request.batchId).meta,
        ],
        [
          toMicroUsd(request.amountUsd),
          daily ? toMicroUsd(request.dailyLimitUsd!) : 0,
          daily ? request.day : '',
          DAY_TTL_SECONDS,
          reservationTtlSeconds,
          request.batchId ?? '',
        ],
      )) as string[];
      const [kind, cap, limit, committed] = reply;
      if (kind === 'over') {
        return {
          kind,
          cap: cap === 'daily' ? 'daily' : 'batch',
          limitUsd: fromMicroUsd(Number(limit)),
          committedUsd: fromMicroUsd(Number(committed)),
        };
      }
      return { kind: kind === 'held' ? 'held' : 'reserved' };
    },
    /** The provider reported what the job's generation costs: it replaces the estimate (once per figure). */
    settle: (jobId: string, actualUsd: number) => settleWith(jobId, 'actual', toMicroUsd(actualUsd)),
    /** A certain failure: what the job holds is given back. */
    release: (jobId: string) => settleWith(jobId, 'release'),
    /** What one UTC day has committed so far (USD). */
    async day(day: string): Promise<{ reservedUsd: number; spentUsd: number }> {
      const [reserved, spent] = await redis.hmget(keys.spendDay(day), 'reserved', 'spent');
      return { reservedUsd: fromMicroUsd(Number(reserved ?? 0)), spentUsd: fromMicroUsd(Number(spent ?? 0)) };
    },
  };
}
