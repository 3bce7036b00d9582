import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BatchResultRow, VidqueueClient } from '@vidqueue/client';

export type DownloadOptions = {
  dir: string;
  /** Files fetched at the same time (default 4). */
  concurrency?: number;
  /** Called once per row with what happened. */
  onFile?: (event: DownloadEvent) => void;
};

export type DownloadEvent =
  | { kind: 'downloaded'; file: string; bytes: number }
  | { kind: 'skipped'; file: string }
  | { kind: 'failed'; file: string; error: string };

export type DownloadSummary = { downloaded: number; skipped: number; failed: number; notReady: number };

/** `<custom_id or row>.mp4`, with anything unsafe in a file name replaced. */
export function videoFileName(row: Pick<BatchResultRow, 'row' | 'custom_id'>): string {
  const base = row.custom_id
    ? row.custom_id.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_')
    : String(row.row);
  return `${base}.mp4`;
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

/** Content-Length from a HEAD request, when the server gives one. */
async function remoteSize(url: string): Promise<number | undefined> {
  try {
    const res = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(30_000) });
    const length = Number(res.headers.get('content-length'));
    return res.ok && Number.isFinite(length) && length > 0 ? length : undefined;
  } catch {
    return undefined;
  }
}

async function downloadOne(url: string, path: string): Promise<number> {
  const part = `${path}.part`;
  const res = await fetch(url, { signal: AbortSignal.timeout(10 * 60_000) });
  if (!res.ok || !res.body) throw new Error(`GET ${new URL(url).host} answered ${res.status}`);
  try {
    await pipeline(Readable.fromWeb(res.body), createWriteStream(part));
    const expected = Number(res.headers.get('content-length'));
    const got = (await stat(part)).size;
    if (Number.isFinite(expected) && expected > 0 && got !== expected) {
      throw new Error(`incomplete download: ${got} of ${expected} bytes`);
    }
    await rename(part, path);
    return got;
  } catch (err) {
    await rm(part, { force: true });
    throw err;
  }
}

/**
 * Saves every completed row's MP4 into `dir`, a few at a time. Resumable: a file that is already there
 * with the size the server announces is skipped; downloads go to `<name>.part` and are renamed when whole.
 */
export async function downloadBatch(
  vq: VidqueueClient,
  batchId: string,
  options: DownloadOptions,
): Promise<DownloadSummary> {
  const concurrency = Math.max(1, options.concurrency ?? 4);
  await mkdir(options.dir, { recursive: true });
  const summary: DownloadSummary = { downloaded: 0, skipped: 0, failed: 0, notReady: 0 };
  const running = new Set<Promise<void>>();

  const handle = async (row: BatchResultRow & { video_url: string }): Promise<void> => {
    const file = join(options.dir, videoFileName(row));
    try {
      const local = await sizeOf(file);
      if (local !== undefined && local > 0) {
        const remote = await remoteSize(row.video_url);
        if (remote === local) {
          summary.skipped++;
          options.onFile?.({ kind: 'skipped', file });
          return;
        }
      }
      const bytes = await downloadOne(row.video_url, file);
      summary.downloaded++;
      options.onFile?.({ kind: 'downloaded', file, bytes });
    } catch (err) {
      summary.failed++;
      options.onFile?.({ kind: 'failed', file, error: err instanceof Error ? err.message : String(err) });
    }
  };

  for await (const row of vq.results(batchId)) {
    if (row.status !== 'completed' || !row.video_url) {
      summary.notReady++;
      continue;
    }
    const task = handle({ ...row, video_url: row.video_url }).finally(() => running.delete(task));
    running.add(task);
    if (running.size >= concurrency) await Promise.race(running);
  }
  await Promise.all(running);
  return summary;
}
