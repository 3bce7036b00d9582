import type { ArchiveStore } from '@vidqueue/core/store';
import type { Logger } from '@vidqueue/core/runtime';
import type { Storage } from '@vidqueue/storage';

/** How often the archive worker looks for files whose batch (or video) record has expired. */
export const ARCHIVE_SWEEP_EVERY_MS = 10 * 60_000;
/** Files looked at per sweep run (the next run takes the rest). */
const SWEEP_LIMIT = 1000;

/**
 * ARCHIVE_RETENTION=batch: deletes the files whose owner record (the batch meta, or a lone video's
 * archive record) has expired, and looks again later at those whose owner was refreshed meanwhile.
 */
export async function sweepArchives(
  store: ArchiveStore,
  storage: Storage,
  logger: Logger,
  now = Date.now(),
): Promise<{ deleted: number; kept: number }> {
  const due = await store.due(now, SWEEP_LIMIT);
  let deleted = 0;
  const gone: string[] = [];
  for (const item of due) {
    if (item.ownerTtlMs === 'gone') {
      await storage.delete(item.storageKey);
      gone.push(item.storageKey);
      deleted++;
    } else {
      await store.keepUntil(item.storageKey, now + item.ownerTtlMs);
    }
  }
  await store.forget(gone);
  if (deleted > 0) logger.info({ deleted }, 'archive sweep: files of expired batches deleted');
  return { deleted, kept: due.length - deleted };
}
