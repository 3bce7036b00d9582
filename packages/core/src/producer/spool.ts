/**
 * Spooling an upload to a private temp file, hashing it on the way: the file can then be parsed (ingest
 * validates it and stages its rows' requests in one pass) with bounded memory, whatever its size. The API spools every upload; the
 * SDK's Redis mode spools a stream given to `uploadBatch`.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Spooled = { path: string; bytes: number; sha256: string; tooLarge: boolean };

/** A private temp directory for one upload; `remove()` deletes it and everything in it. */
export async function makeSpoolDir(): Promise<{ file: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'vidq-batch-'));
  return {
    file: join(dir, 'upload'),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The upload's connection went away before its end (`close` without `end`: a client gone, a timeout). */
export class UploadAbortedError extends Error {
  override name = 'UploadAbortedError';
}

/**
 * Copies an upload to `path` with backpressure, hashing it on the way, and stops as soon as it
 * exceeds `maxBytes` (`tooLarge`). The source is then paused, never destroyed, so the caller can
 * still answer 413 on the same connection (with `Connection: close`). When `signal` aborts (an upload
 * too slow), it stops the same way and rejects with the signal's reason; a source that closes before
 * its end rejects with `UploadAbortedError`. Either way the caller removes what was written.
 */
export function spoolUpload(
  source: NodeJS.ReadableStream,
  path: string,
  maxBytes: number,
  signal?: AbortSignal,
): Promise<Spooled> {
  return new Promise<Spooled>((resolve, reject) => {
    const out = createWriteStream(path);
    const hash = createHash('sha256');
    let bytes = 0;
    let settled = false;
    const noop = () => undefined;

    const cleanup = () => {
      source.removeListener('data', onData);
      source.removeListener('end', onEnd);
      source.removeListener('error', onError);
      source.removeListener('close', onClose);
      signal?.removeEventListener('abort', onAbort);
      // A late error (a client that goes away) must not crash the process.
      source.on('error', noop);
    };
    const finish = (tooLarge: boolean) => {
      if (settled) return;
      settled = true;
      cleanup();
      out.end(() => resolve({ path, bytes, sha256: hash.digest('hex'), tooLarge }));
    };
    const onError = (err: Error) => {
      if (settled) return;
      settled = true;
      cleanup();
      out.destroy();
      reject(err);
    };
    const onData = (chunk: Buffer | string) => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      bytes += buf.length;
      if (bytes > maxBytes) {
        source.pause();
        finish(true);
        return;
      }
      hash.update(buf);
      if (!out.write(buf)) {
        source.pause();
        out.once('drain', () => {
          if (!settled) source.resume();
        });
      }
    };
    const onEnd = () => finish(false);
    // 'close' without 'end': the connection went away (a request timeout, a client gone).
    const onClose = () => onError(new UploadAbortedError('the upload ended before its last byte'));
    const onAbort = () => {
      source.pause();
      onError(signal?.reason instanceof Error ? signal.reason : new UploadAbortedError('upload aborted'));
    };
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    out.on('error', onError);
    source.on('data', onData);
    source.on('end', onEnd);
    source.on('error', onError);
    source.on('close', onClose);
  });
}
