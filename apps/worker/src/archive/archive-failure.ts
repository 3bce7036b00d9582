import { ArchiveFailure } from '@vidqueue/core/contract';
import { isSafeHttpError } from '@vidqueue/safe-http';
import { NotMp4Error } from './archive-tap.js';

/** How an archive attempt failed: its reason, whether retrying can help, and a message safe to store. */
export type ArchiveProblem = { reason: ArchiveFailure; retry: boolean; message: string };

/** Statuses that mean the provider's link is no longer valid (signed URLs expire after 24 h). */
const EXPIRED = new Set([403, 404, 410]);

/**
 * Classifies a failed attempt. Messages name hosts, never paths or queries (signed URLs carry their
 * tokens there): safe-http's messages already do; others are replaced by their code.
 */
export function describeArchiveProblem(err: unknown, phase: 'download' | 'storage'): ArchiveProblem {
  if (err instanceof NotMp4Error)
    return { reason: ArchiveFailure.NotMp4, retry: false, message: err.message };
  if (isSafeHttpError(err)) {
    const message = `${err.code}: ${err.message}`;
    switch (err.code) {
      case 'http_status': {
        const status = err.status ?? 0;
        if (EXPIRED.has(status)) return { reason: ArchiveFailure.SourceExpired, retry: false, message };
        const retry = status === 408 || status === 429 || status >= 500 || (status >= 300 && status < 400);
        return {
          reason: retry ? ArchiveFailure.DownloadFailed : ArchiveFailure.SourceRefused,
          retry,
          message,
        };
      }
      case 'too_large':
        return { reason: ArchiveFailure.TooLarge, retry: false, message };
      case 'blocked_address':
      case 'bad_protocol':
      case 'bad_url':
      case 'too_many_redirects':
        return { reason: ArchiveFailure.SourceRefused, retry: false, message };
      case 'timeout':
      case 'network':
        return { reason: ArchiveFailure.DownloadFailed, retry: true, message };
    }
  }
  if (phase === 'storage') {
    const name = err instanceof Error ? err.name : 'error';
    return { reason: ArchiveFailure.StorageFailed, retry: true, message: `storage: ${name}` };
  }
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return {
    reason: ArchiveFailure.DownloadFailed,
    retry: true,
    message: typeof code === 'string' ? code : 'download failed',
  };
}
