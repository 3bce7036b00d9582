import { pipeline } from 'node:stream';
import { UnrecoverableError, type Job } from 'bullmq';
import {
  ArchiveJobDataSchema,
  type ArchiveJobData,
  type ArchiveStore,
  type ArchiveRef,
} from '@vidqueue/core/store';
import type { ArchiveRecord } from '@vidqueue/core/contract';
import type { Config, Logger } from '@vidqueue/core/runtime';
import { safeFetch, type AddressPolicy } from '@vidqueue/safe-http';
import type { Storage } from '@vidqueue/storage';
import { describeArchiveProblem, type ArchiveProblem } from './archive-failure.js';
import { ArchiveTap } from './archive-tap.js';

/**
 * Told when a video's archive has settled (archived, or failed for good): `settled` while the row still
 * holds up its batch (the video's event goes first), `released` once it no longer does (the batch may be
 * complete now). A retried job may tell either again.
 */
export type ArchiveSettled = {
  settled(ref: ArchiveRef, record: ArchiveRecord, data: ArchiveJobData): Promise<void>;
  released(ref: ArchiveRef): Promise<void>;
};

export type ArchiveProcessorDeps = {
  config: Pick<Config, 'ARCHIVE_MAX_BYTES' | 'ARCHIVE_TIMEOUT_MS'>;
  storage: Storage;
  store: ArchiveStore;
  /** Which non-public addresses a source may have (see providerAddressPolicy). */
  policy: AddressPolicy;
  logger: Logger;
  onSettled?: ArchiveSettled;
};

/** Redirects a source may take (CDNs redirect once or twice). */
export const ARCHIVE_MAX_REDIRECTS = 3;

/** Storage did not finish writing within ARCHIVE_TIMEOUT_MS of the download's end (`storage: TimeoutError`). */
class StorageTimeoutError extends Error {
  override name = 'TimeoutError';
  constructor(ms: number) {
    super(`storage took longer than ${ms} ms after the download`);
  }
}

/** A final failure already recorded (its reason in the message): BullMQ must not retry it. */
class ArchiveFailed extends UnrecoverableError {}

/**
 * One archive job: streams the provider's file through safeFetch (its redirects, address guard, time
 * and size limits) and the MP4 check / SHA-256 tap straight into storage, then records
 * `{ status: archived, storage_key, bytes, sha256, archived_at }` on the video and its batch row.
 * A failure that retrying cannot fix (the source expired: 403/404/410; too large; not an MP4; an
 * address refused), or the last attempt of one that can, records `archive_failed` with its reason; the
 * row keeps the provider's URL either way.
 */
export function createArchiveProcessor(deps: ArchiveProcessorDeps) {
  const { config, storage, store, policy } = deps;
  const log = deps.logger.child({ component: 'archive' });

  async function settle(ref: ArchiveRef, record: ArchiveRecord, data: ArchiveJobData): Promise<void> {
    await store.settle(ref, record);
    await deps.onSettled?.settled(ref, record, data);
    await store.release(ref);
    await deps.onSettled?.released(ref);
  }

  async function copy(data: ArchiveJobData): Promise<{ bytes: number; sha256: string }> {
    let phase: 'download' | 'storage' = 'download';
    try {
      const res = await safeFetch(data.sourceUrl, {
        ...policy,
        maxRedirects: ARCHIVE_MAX_REDIRECTS,
        maxBytes: config.ARCHIVE_MAX_BYTES,
        timeoutMs: config.ARCHIVE_TIMEOUT_MS,
      });
      phase = 'storage';
      const tap = new ArchiveTap();
      // Errors on either side destroy both: a cut download or a refused file fails the put.
      const body = pipeline(res.body, tap, () => undefined);
      // The download is bound by safeFetch's deadline; what storage does after it by the same time
      // again (a store that stops answering would hold the job, and the video's event, for ever).
      const stored = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      tap.once('end', () => {
        timer = setTimeout(
          () => stored.abort(new StorageTimeoutError(config.ARCHIVE_TIMEOUT_MS)),
          config.ARCHIVE_TIMEOUT_MS,
        );
      });
      try {
        await storage.put(data.storageKey, body, { contentType: 'video/mp4', signal: stored.signal });
      } finally {
        clearTimeout(timer);
      }
      return { bytes: tap.bytes, sha256: tap.sha256() };
    } catch (err) {
      throw Object.assign(new Error('archive attempt failed'), {
        problem: describeArchiveProblem(err, phase),
      });
    }
  }

  return async function processArchive(job: Job<ArchiveJobData>): Promise<ArchiveRecord> {
    const data = ArchiveJobDataSchema.parse(job.data);
    const ref: ArchiveRef = {
      videoId: data.videoId,
      ...(data.batchId === undefined ? {} : { batchId: data.batchId }),
      ...(data.row === undefined ? {} : { row: data.row }),
    };
    const bound = log.child({ jobId: job.id, videoId: data.videoId, batchId: data.batchId });
    try {
      const { bytes, sha256 } = await copy(data);
      const record: ArchiveRecord = {
        status: 'archived',
        storage_key: data.storageKey,
        bytes,
        sha256,
        archived_at: new Date().toISOString(),
      };
      await settle(ref, record, data);
      await job.log(`archived ${bytes} bytes, sha256 ${sha256}`);
      bound.info({ bytes, storageKey: data.storageKey }, 'video archived');
      return record;
    } catch (err) {
      const problem = (err as { problem?: ArchiveProblem }).problem;
      if (!problem) throw err; // recording failed (Redis): BullMQ retries the job
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      await job.log(`attempt ${job.attemptsMade + 1}: ${problem.reason}: ${problem.message}`);
      if (problem.retry && !last) {
        bound.warn(
          { reason: problem.reason, detail: problem.message, attempt: job.attemptsMade + 1 },
          'archive attempt failed; retrying',
        );
        throw new Error(`${problem.reason}: ${problem.message}`);
      }
      const record: ArchiveRecord = {
        status: 'archive_failed',
        storage_key: data.storageKey,
        bytes: null,
        sha256: null,
        archived_at: null,
        reason: problem.reason,
        message: problem.message,
      };
      await settle(ref, record, data);
      bound.warn(
        { reason: problem.reason, detail: problem.message },
        'archive failed; the video keeps its provider URL',
      );
      throw new ArchiveFailed(`${problem.reason}: ${problem.message}`);
    }
  };
}
