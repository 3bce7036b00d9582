import type { Redis } from 'ioredis';
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
 * attempt reached the provider; the absence of a row here proves nothing (only a full pass does).
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

export type LogsSeen = {
  /** Remembers the rows with a client request id and an inference id (`fallbackAt`: a row without a time). */
  record(rows: readonly UsageLogRow[], fallbackAt: number): Promise<void>;
  /** The row of this client request id among those seen with a request time in [from, to]. */
  find(clientRequestId: string, from: number, to: number): Promise<SeenRow | undefined>;
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
export function createLogsSeen(redis: Redis, prefix: string, ttlMs: number): LogsSeen {
  const keys = vidqKeys(prefix);
  const bucket = (at: number): number => Math.floor(at / LOGS_SEEN_BUCKET_MS);
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
  };
}
