import { archiveStorageKey } from '@vidqueue/core/contract';
import { ARCHIVE_JOB_NAME, archiveJobId, type ArchiveQueue, type ArchiveStore } from '@vidqueue/core/store';
import type { ProcessorHooks } from '../hooks.js';

/**
 * On completion, queues the video's archive job (one per video: its id is derived from the video's)
 * and records it `pending`, which also holds back its batch's `batch.completed` until it settles. Runs
 * before the batch hooks (see startWorker). A replayed hook finds the record settled and adds nothing.
 */
export function createArchiveHooks(deps: {
  queue: ArchiveQueue;
  store: ArchiveStore;
}): Pick<ProcessorHooks, 'completed'> {
  return {
    async completed(job, result) {
      const videoId = String(job.id);
      const existing = await deps.store.get(videoId);
      if (existing && existing.status !== 'pending') return;
      const { batchId, row } = job.data;
      const ref = {
        videoId,
        ...(batchId === undefined ? {} : { batchId }),
        ...(row === undefined ? {} : { row }),
      };
      const storageKey = archiveStorageKey(videoId, batchId);
      await deps.store.begin(ref, storageKey);
      await deps.queue.add(
        ARCHIVE_JOB_NAME,
        { ...ref, sourceUrl: result.videoUrl, storageKey, result },
        { jobId: archiveJobId(videoId) },
      );
    },
  };
}
