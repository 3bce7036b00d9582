import type { BatchStoreContext } from './batch-context.js';

/** One entry of the index of batches: an id and when it was created (ms). */
export type BatchIndexEntry = { id: string; createdAt: number };

/** A listing's position: the last entry shown. Opaque to clients (`<createdAt>.<id>`). */
export function encodeBatchCursor(entry: BatchIndexEntry): string {
  return `${entry.createdAt}.${entry.id}`;
}

export function decodeBatchCursor(cursor: string): BatchIndexEntry | undefined {
  const m = /^(\d{1,16})\.(bat_[A-Za-z0-9_-]{1,64})$/.exec(cursor);
  return m ? { createdAt: Number(m[1]), id: m[2]! } : undefined;
}

/**
 * The index of batches, newest first: a sorted set `batchIndex` scored by creation time, written by
 * the batch-create script in the same step as the record. An entry goes when its record has expired
 * (BATCH_TTL_SECONDS after the record's last change): a listing that meets such an id removes it.
 * Part of `createBatchStore`.
 */
export function batchIndexOps({ redis, keys }: BatchStoreContext) {
  return {
    /**
     * Up to `limit` ids created before `after` (newest first), skipping ids whose record is gone (and
     * removing them from the index). `next` is set when more may follow.
     */
    async listBatchIds(
      limit: number,
      after?: BatchIndexEntry,
    ): Promise<{ entries: BatchIndexEntry[]; next?: BatchIndexEntry }> {
      const max = after === undefined ? '+inf' : String(after.createdAt);
      // Members of equal score come in reverse lexicographic order: those up to the cursor were shown.
      const isAfter = (e: BatchIndexEntry) =>
        after === undefined || e.createdAt < after.createdAt || e.id < after.id;
      const found: BatchIndexEntry[] = [];
      const gone: string[] = [];
      let offset = 0;
      for (let round = 0; round < 50 && found.length <= limit; round++) {
        const count = limit + 1 - found.length + 16;
        const flat = await redis.zrevrangebyscore(
          keys.batchIndex,
          max,
          '-inf',
          'WITHSCORES',
          'LIMIT',
          offset,
          count,
        );
        const raw: BatchIndexEntry[] = [];
        for (let i = 0; i + 1 < flat.length; i += 2)
          raw.push({ id: flat[i]!, createdAt: Number(flat[i + 1]) });
        offset += raw.length;
        const page = raw.filter(isAfter);
        if (page.length > 0) {
          const exists = await redis.pipeline(page.map((e) => ['exists', keys.batch(e.id).meta])).exec();
          page.forEach((entry, i) => (exists?.[i]?.[1] === 1 ? found.push(entry) : gone.push(entry.id)));
        }
        if (raw.length < count) break;
      }
      if (gone.length > 0) await redis.zrem(keys.batchIndex, ...gone);
      if (found.length > limit) return { entries: found.slice(0, limit), next: found[limit - 1] };
      return { entries: found };
    },
  };
}
