import type { RedisConnection } from '@vidqueue/core/runtime';
import type { UsageLogRow } from '@vidqueue/aimlapi';
import { vidqKeys } from '@vidqueue/core/contract';
import { scripts } from '@vidqueue/core/store';

/**
 * Usage-log rows any worker has read, shared through Redis so that one lookup's pages serve every other
 * job looking in the same window: at volume a single pass over a busy minute finds most lost creates,
 * and the shared budget of `GET /v2/logs` (200 requests per 60 s at the provider) goes much further.
 *
 * Rows are kept by client request id in one hash per period of request times (`LOGS_SEEN_BUCKET_MS`),
 * written by the `logs-seen-add` script (hash and TTL in one step). A row seen is evidence that the
 * attempt reached the provider; the absence of a row here proves nothing by itself.
 *
 * Whole passes are shared too: lookups use windows aligned to the minute, so attempts sent in the same
 * minute share one; a worker that paged through a window to the end records when that pass started, and
 * another job of the window counts it as its own lookup (its row was not among the rows that pass saw),
 * without a call. A lock per window keeps two workers from paging through it at once.
 */
export const LOGS_SEEN_BUCKET_MS = 10 * 60_000;

/** What a lookup needs from a row. */
export type SeenRow = {
  inferenceId: string;
  status: string;
  costUsd?: number;
  creditsUsed?: number;
  createdAt?: number;
};

/** One lookup window: a model and a request-time range (epoch ms, aligned so that lookups share it). */
export type LogsWindow = { model: string; start: number; end: number };

export type LogsSeen = {
  /** Remembers the rows with a client request id and an inference id (`fallbackAt`: a row without a time). */
  record(rows: readonly UsageLogRow[], fallbackAt: number): Promise<void>;
  /** The row of this client request id among those seen with a request time in [from, to]. */
  find(clientRequestId: string, from: number, to: number): Promise<SeenRow | undefined>;
  /**
   * When the latest whole pass over `window` started (any worker's), or undefined. Read it **before**
   * `find`: a pass records its rows before it records itself, so a row it saw is then already findable.
   */
  lastPass(window: LogsWindow): Promise<number | undefined>;
  /** Records a whole pass over `window` that started at `startedAt` (after its rows were recorded). */
  passDone(window: LogsWindow, startedAt: number): Promise<void>;
  /** Takes the window's pass lock for `ttlMs` (true; also when `owner` already holds it), or finds another lookup paging (false). */
  claimPass(window: LogsWindow, ttlMs: number, owner: string): Promise<boolean>;
  /** Gives the lock back (a pass ended, whole or not). */
  releasePass(window: LogsWindow): Promise<void>;
};

/** A row that made a generation beats a refused one when one attempt somehow has both. */
function better(a: SeenRow | undefined, b: SeenRow): SeenRow {
  if (a === undefined) return b;
  return a.status !== 'succeeded' && b.status === 'succeeded' ? b : a;
}

function parse(text: string | null): SeenRow | undefined {
  if (text === null) return undefined;
  try {
    const row = JSON.parse(text) as Partial<SeenRow>;
    return typeof row.inferenceId === 'string' && typeof row.status === 'string'
      ? (row as SeenRow)
      : undefined;
  } catch {
    return undefined;
  }
}

/** `ttlMs`: how long a period's rows are kept after its last write (lookups run for 2 × the horizon). */
export function createLogsSeen(redis: RedisConnection, prefix: string, ttlMs: number): LogsSeen {
  const keys = vidqKeys(prefix);
  const bucket = (at: number): number => Math.floor(at / LOGS_SEEN_BUCKET_MS);
  const passKeys = (w: LogsWindow) => keys.logsPass(`${w.model}|${w.start}|${w.end}`);
  const ttl = Math.max(1, Math.round(ttlMs));
  return {
    async record(rows, fallbackAt) {
      const byBucket = new Map<number, Map<string, SeenRow>>();
      for (const row of rows) {
        if (row.clientRequestId === undefined || row.inferenceId === undefined) continue;
        const at = row.createdAt ?? fallbackAt;
        const seen: SeenRow = {
          inferenceId: row.inferenceId,
          status: row.status,
          ...(row.costUsd !== undefined && { costUsd: row.costUsd }),
          ...(row.creditsUsed !== undefined && { creditsUsed: row.creditsUsed }),
          ...(row.createdAt !== undefined && { createdAt: row.createdAt }),
        };
        const rowsOf = byBucket.get(bucket(at)) ?? new Map<string, SeenRow>();
        rowsOf.set(row.clientRequestId, better(rowsOf.get(row.clientRequestId), seen));
        byBucket.set(bucket(at), rowsOf);
      }
      for (const [b, rowsOf] of byBucket) {
        const args: (string | number)[] = [Math.max(1, Math.round(ttlMs))];
        for (const [id, row] of rowsOf) args.push(id, JSON.stringify(row));
        await scripts['logs-seen-add'].run(redis, [keys.logsSeen(b)], args);
      }
    },
    async find(clientRequestId, from, to) {
      const reads: Promise<string | null>[] = [];
      for (let b = bucket(from); b <= bucket(to); b += 1)
        reads.push(redis.hget(keys.logsSeen(b), clientRequestId));
      let found: SeenRow | undefined;
      for (const text of await Promise.all(reads)) {
        const row = parse(text);
        if (row !== undefined) found = better(found, row);
      }
      return found;
    },
    async lastPass(window) {
      const at = Number(await redis.get(passKeys(window).done));
      return Number.isFinite(at) && at > 0 ? at : undefined;
    },
    async passDone(window, startedAt) {
      // Only ever later: an older pass finishing last must not hide a newer one.
      await scripts['logs-pass-done'].run(redis, [passKeys(window).done], [startedAt, ttl]);
    },
    async claimPass(window, lockMs, owner) {
      const lock = passKeys(window).lock;
      if ((await redis.set(lock, owner, 'PX', Math.max(1, lockMs), 'NX')) === 'OK') return true;
      return (await redis.get(lock)) === owner;
    },
    async releasePass(window) {
      await redis.del(passKeys(window).lock);
    },
  };
}
