import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BatchResultRow, VidqueueClient } from '@vidqueue/client';
import { isSafeHttpError, safeFetch, type AddressPolicy } from '@vidqueue/safe-http';
import { videoFileName } from './download-rules.js';

export { parseByteSize, videoAddressPolicy, videoFileName } from './download-rules.js';

export const DEFAULT_MAX_BYTES = 2 * 1024 ** 3;
export const DEFAULT_FILE_TIMEOUT_MS = 30 * 60_000;

export type DownloadOptions = {
  dir: string;
  /** Files fetched at the same time (default 4). */
  concurrency?: number;
  /** Largest video accepted, in bytes (default 2 GiB). */
  maxBytes?: number;
  /** Time limit for one file, redirects included (default 30 min). */
  timeoutMs?: number;
  /** Non-public addresses the video hosts may have (default none); see `videoAddressPolicy`. */
  addressPolicy?: AddressPolicy;
  /**
   * The API's address and token: archived copies (`video_url` on the API) are fetched with the token;
   * it is never sent to another origin (safe-http drops it on a redirect elsewhere too).
   */
  api?: { url: string; token?: string };
  /** Called once per completed row with what happened. */
  onFile?: (event: DownloadEvent) => void;
  /**
   * Stops the run (Ctrl-C): no new file is started, files being fetched are stopped and their `.part`
   * removed, and the summary says `interrupted` (files saved so far stay; a re-run skips them).
   */
  signal?: AbortSignal;
};

export type DownloadFailure = { row: number; file: string; code: string; error: string };

export type DownloadEvent =
  | { kind: 'downloaded'; row: number; file: string; bytes: number }
  | { kind: 'skipped'; row: number; file: string }
  | ({ kind: 'failed' } & DownloadFailure);

export type DownloadSummary = {
  downloaded: number;
  /** Complete already: the file's size equals the server's Content-Length. */
  skipped: number;
  failed: number;
  /** Rows still queued, paused (by a spending cap) or generating. */
  notFinished: number;
  /** Rows that failed or were cancelled: no video to fetch. */
  noVideo: number;
  failures: DownloadFailure[];
  /** The run was stopped by `signal` before every row was handled. */
  interrupted: boolean;
};

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

class IncompleteError extends Error {
  readonly code = 'incomplete';
}

class ChecksumError extends Error {
  readonly code = 'checksum_mismatch';
}

async function sha256Of(path: string): Promise<string | undefined> {
  try {
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    return hash.digest('hex');
  } catch {
    return undefined;
  }
}

/** What a row's file must match: the archive's SHA-256 when the video was archived. */
type Expected = { sha256?: string; headers?: Record<string, string> };

/**
 * One row's video into `path`: skipped when the file there already has the size the server announces,
 * else streamed into a `.part` of its own (created exclusively) and renamed over `path` when whole.
 */
async function fetchVideo(
  url: string,
  path: string,
  options: Required<Pick<DownloadOptions, 'maxBytes' | 'timeoutMs' | 'addressPolicy'>> &
    Pick<DownloadOptions, 'signal'>,
  expected: Expected = {},
): Promise<number | 'skipped'> {
  // An archived video: a file here with its SHA-256 is complete, without asking the server.
  if (expected.sha256 !== undefined && (await sha256Of(path)) === expected.sha256) return 'skipped';
  const local = await sizeOf(path);
  const res = await abortable(
    safeFetch(url, {
      ...options.addressPolicy,
      maxBytes: options.maxBytes,
      timeoutMs: options.timeoutMs,
      ...(expected.headers ? { headers: expected.headers } : {}),
    }),
    options.signal,
  );
  if (expected.sha256 === undefined && local !== undefined && local === res.contentLength) {
    res.body.destroy();
    return 'skipped';
  }
  const part = `${path}.${randomBytes(4).toString('hex')}.part`;
  const hash = createHash('sha256');
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(
      res.body,
      hashing,
      createWriteStream(part, { flags: 'wx' }),
      options.signal ? { signal: options.signal } : {},
    );
    const got = (await stat(part)).size;
    if (res.contentLength !== undefined && got !== res.contentLength) {
      throw new IncompleteError(`${res.host} sent ${got} of ${res.contentLength} bytes`);
    }
    const digest = hash.digest('hex');
    if (expected.sha256 !== undefined && digest !== expected.sha256) {
      throw new ChecksumError(`the file's sha256 ${digest} is not the archive's ${expected.sha256}`);
    }
    await rename(part, path);
    return got;
  } catch (err) {
    res.body.destroy();
    await rm(part, { force: true });
    throw err;
  }
}

/** The promise, or a rejection as soon as `signal` aborts (a late answer's body is then dropped). */
function abortable<T extends { body: { destroy(): void } }>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      reject(signal.reason as Error);
      promise.then(
        (res) => res.body.destroy(),
        () => undefined,
      );
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (res) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) res.body.destroy();
        else resolve(res);
      },
      (err: Error) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/** `--dir`: made when missing; one that exists and is not a directory is refused by name. */
async function prepareDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') {
      throw Object.assign(new Error(`${dir} is not a directory (a file is in the way)`), { code });
    }
    throw err;
  }
}

function describeFailure(err: unknown): { code: string; error: string } {
  if (isSafeHttpError(err) || err instanceof IncompleteError || err instanceof ChecksumError) {
    return { code: err.code, error: err.message };
  }
  const errno = (err as NodeJS.ErrnoException).code;
  const code = typeof errno === 'string' ? errno : 'error';
  const message = err instanceof Error ? err.message : String(err);
  // A file system error's message starts with its code already.
  return { code, error: message.startsWith(`${code}: `) ? message.slice(code.length + 2) : message };
}

/**
 * Saves every completed row's MP4 into `dir`, one file per row (`videoFileName`), a few at a time,
 * through `@vidqueue/safe-http`. Re-runs skip only files that are complete; a row that fails leaves no
 * file behind and is listed in the summary's `failures`.
 */
export async function downloadBatch(
  vq: VidqueueClient,
  batchId: string,
  options: DownloadOptions,
): Promise<DownloadSummary> {
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const fetchOptions = {
    maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
    timeoutMs: options.timeoutMs ?? DEFAULT_FILE_TIMEOUT_MS,
    addressPolicy: options.addressPolicy ?? {},
  };
  await prepareDir(options.dir);
  const signal = options.signal;
  const summary: DownloadSummary = {
    downloaded: 0,
    skipped: 0,
    failed: 0,
    notFinished: 0,
    noVideo: 0,
    failures: [],
    interrupted: false,
  };
  const running = new Set<Promise<void>>();
  const apiOrigin = options.api ? new URL(options.api.url).origin : undefined;
  /** The archive's checksum, and the token for our own URLs only. */
  const expectedFor = (row: BatchResultRow): Expected => {
    const sha256 = row.archive?.status === 'archived' ? (row.archive.sha256 ?? undefined) : undefined;
    const ours =
      apiOrigin !== undefined && row.video_url !== null && new URL(row.video_url).origin === apiOrigin;
    const token = options.api?.token;
    return {
      ...(sha256 ? { sha256 } : {}),
      ...(ours && token ? { headers: { authorization: `Bearer ${token}` } } : {}),
    };
  };

  const handle = async (row: BatchResultRow): Promise<void> => {
    let name = `row ${String(row.row).slice(0, 40)}`;
    try {
      name = videoFileName(row);
      // The name has no separator (videoFileName): the file is always directly in the folder.
      if (resolve(options.dir, name) !== join(resolve(options.dir), name))
        throw Object.assign(new Error(`refused the file name ${JSON.stringify(name)}`), { code: 'bad_name' });
      if (!row.video_url)
        throw Object.assign(new Error('completed without a video URL'), { code: 'no_video_url' });
      const result = await fetchVideo(
        row.video_url,
        join(options.dir, name),
        { ...fetchOptions, ...(signal ? { signal } : {}) },
        expectedFor(row),
      );
      if (result === 'skipped') {
        summary.skipped++;
        options.onFile?.({ kind: 'skipped', row: row.row, file: name });
      } else {
        summary.downloaded++;
        options.onFile?.({ kind: 'downloaded', row: row.row, file: name, bytes: result });
      }
    } catch (err) {
      if (signal?.aborted) return; // stopped, not failed: its .part is gone, a re-run fetches it
      const failure = { row: row.row, file: name, ...describeFailure(err) };
      summary.failed++;
      summary.failures.push(failure);
      options.onFile?.({ kind: 'failed', ...failure });
    }
  };

  try {
    for await (const row of vq.results(batchId)) {
      if (signal?.aborted) break;
      if (row.status === 'queued' || row.status === 'generating' || row.status === 'paused')
        summary.notFinished++;
      else if (row.status !== 'completed') summary.noVideo++;
      else {
        const task = handle(row).finally(() => running.delete(task));
        running.add(task);
        if (running.size >= concurrency) await Promise.race(running);
      }
    }
  } catch (err) {
    // Ctrl-C also closes the client, which ends the results stream with an error.
    if (!signal?.aborted) throw err;
  } finally {
    await Promise.all(running);
  }
  summary.interrupted = signal?.aborted ?? false;
  summary.failures.sort((a, b) => a.row - b.row);
  return summary;
}
