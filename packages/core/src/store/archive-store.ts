/**
 * The archive records of finished videos: one per video (`vidqKeys.archive(jobId)`) and, for a batch
 * row, the same record in the batch's `archive` hash (read by the results export 1000 rows at a time).
 * With ARCHIVE_RETENTION=batch each archived file is also listed for deletion once the record that
 * keeps it (the batch meta, or the video's own record) has expired: `due` / `keepUntil` / `forget`.
 * Never written in BullMQ's keys; plain commands (the archive is not the hot path).
 */
import type { RedisConnection } from '../runtime/connection.js';
import { parseArchiveRecord, type ArchiveRecord } from '../contract/archive.js';
import { vidqKeys } from '../contract/keys.js';

/** Which video an archive belongs to: its job id and, for a batch row, the batch and row. */
export type ArchiveRef = { videoId: string; batchId?: string; row?: number };

export type ArchiveStoreOptions = {
  /** BATCH_TTL_SECONDS: how long records (and, with retention `batch`, files) live after their last change. */
  ttlSeconds: number;
  retention: 'batch' | 'forever';
};

export type ArchiveStore = ReturnType<typeof createArchiveStore>;

export function createArchiveStore(redis: RedisConnection, prefix: string, options: ArchiveStoreOptions) {
  const keys = vidqKeys(prefix);
  const ttlMs = options.ttlSeconds * 1000;

  /** The batch hash lives as long as the batch meta (at least ttl from now). */
  async function touchBatchHash(key: string, batchId: string): Promise<void> {
    const metaTtl = await redis.pttl(keys.batch(batchId).meta);
    await redis.pexpire(key, Math.max(metaTtl, ttlMs));
  }

  /** The Redis key whose existence keeps an archived file. */
  const ownerOf = (ref: ArchiveRef) =>
    ref.batchId === undefined ? keys.archive(ref.videoId) : keys.batch(ref.batchId).meta;

  async function save(ref: ArchiveRef, record: ArchiveRecord): Promise<void> {
    const json = JSON.stringify(record);
    await redis.set(keys.archive(ref.videoId), json, 'PX', ttlMs);
    if (ref.batchId !== undefined && ref.row !== undefined) {
      const hash = keys.batchArchive(ref.batchId);
      await redis.hset(hash, String(ref.row), json);
      await touchBatchHash(hash, ref.batchId);
    }
  }

  return {
    save,

    /** The archive is starting: `pending`, and a batch's completion event waits for this row. */
    async begin(ref: ArchiveRef, storageKey: string): Promise<void> {
      if (ref.batchId !== undefined && ref.row !== undefined) {
        const pending = keys.batchArchivePending(ref.batchId);
        await redis.sadd(pending, String(ref.row));
        await redis.pexpire(pending, ttlMs);
      }
      await save(ref, {
        status: 'pending',
        storage_key: storageKey,
        bytes: null,
        sha256: null,
        archived_at: null,
      });
    },

    /**
     * The archive settled (archived or failed): recorded. The row still holds up its batch's
     * `batch.completed` until `release`, so the video's own event can be queued first.
     */
    async settle(ref: ArchiveRef, record: ArchiveRecord): Promise<void> {
      await save(ref, record);
      if (record.status === 'archived' && options.retention === 'batch') {
        await redis.zadd(keys.archiveExpiry, Date.now() + ttlMs, record.storage_key);
        await redis.hset(keys.archiveOwner, record.storage_key, ownerOf(ref));
      }
      if (ref.batchId !== undefined && ref.row !== undefined) {
        // The row's video_url changes (ours once archived): a page following the batch reloads it.
        await redis.publish(keys.batch(ref.batchId).events, `${ref.row} completed`);
      }
    },

    /** The settled row no longer holds up its batch (idempotent). */
    async release(ref: ArchiveRef): Promise<void> {
      if (ref.batchId !== undefined && ref.row !== undefined) {
        await redis.srem(keys.batchArchivePending(ref.batchId), String(ref.row));
      }
    },

    async get(videoId: string): Promise<ArchiveRecord | undefined> {
      return parseArchiveRecord(await redis.get(keys.archive(videoId)));
    },

    /** The records of some rows of a batch, by row (absent rows have none). */
    async rows(batchId: string, rows: readonly number[]): Promise<Map<number, ArchiveRecord>> {
      const out = new Map<number, ArchiveRecord>();
      if (rows.length === 0) return out;
      const values = await redis.hmget(keys.batchArchive(batchId), ...rows.map(String));
      rows.forEach((row, i) => {
        const record = parseArchiveRecord(values[i]);
        if (record) out.set(row, record);
      });
      return out;
    },

    /** Rows of a batch whose archive has not settled yet. */
    async pendingCount(batchId: string): Promise<number> {
      return redis.scard(keys.batchArchivePending(batchId));
    },

    /**
     * Files whose time to be looked at has come: for each, the owner key's remaining life (ms), or
     * `gone` when it expired (the file may go). At most `limit`.
     */
    async due(now: number, limit: number): Promise<{ storageKey: string; ownerTtlMs: number | 'gone' }[]> {
      const due = await redis.zrangebyscore(keys.archiveExpiry, 0, now, 'LIMIT', 0, limit);
      const out: { storageKey: string; ownerTtlMs: number | 'gone' }[] = [];
      for (const storageKey of due) {
        const owner = await redis.hget(keys.archiveOwner, storageKey);
        const ttl = owner === null ? -2 : await redis.pttl(owner);
        out.push({ storageKey, ownerTtlMs: ttl === -2 ? 'gone' : ttl < 0 ? ttlMs : ttl });
      }
      return out;
    },

    async keepUntil(storageKey: string, at: number): Promise<void> {
      await redis.zadd(keys.archiveExpiry, at, storageKey);
    },

    /** The file is gone (deleted, or the batch purged): nothing more to track. */
    async forget(storageKeys: readonly string[]): Promise<void> {
      if (storageKeys.length === 0) return;
      await redis.zrem(keys.archiveExpiry, ...storageKeys);
      await redis.hdel(keys.archiveOwner, ...storageKeys);
    },

    /** Removes the archive records of a batch's videos (the files are the caller's). */
    async dropBatch(batchId: string, videoIds: readonly string[]): Promise<void> {
      await redis.del(keys.batchArchive(batchId), keys.batchArchivePending(batchId));
      for (let i = 0; i < videoIds.length; i += 500) {
        const chunk = videoIds.slice(i, i + 500);
        await redis.del(...chunk.map((id) => keys.archive(id)));
      }
    },
  };
}
