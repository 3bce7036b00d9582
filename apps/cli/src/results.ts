import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BatchView, VidqueueClient } from '@vidqueue/client/http';
import type { CliIo } from './cli-io.js';
import { moneyLines } from './estimate.js';

/** `prompts.csv` → `prompts.results.csv` (next to it). */
export function defaultResultsPath(file: string, format: 'csv' | 'jsonl'): string {
  const name = basename(file, extname(file));
  return join(dirname(file), `${name}.results.${format}`);
}

/**
 * Writes the API's export of a batch to a file (or stdout when `out` is `-`). The file appears whole or
 * not at all: the export goes into `<out>.<random>.part`, renamed over `out` once complete, removed when
 * the export fails (an unknown batch, the API gone, Ctrl-C), so an earlier results file is never cut.
 */
export async function saveResults(
  vq: VidqueueClient,
  id: string,
  format: 'csv' | 'jsonl',
  out: string,
  io: CliIo,
): Promise<void> {
  const source = Readable.from(vq.exportResults(id, format));
  if (out === '-') {
    for await (const chunk of source) io.stdout.write(chunk as Uint8Array);
    return;
  }
  const part = `${out}.${randomBytes(4).toString('hex')}.part`;
  try {
    await pipeline(source, createWriteStream(part, { flags: 'wx' }));
    await rename(part, out);
  } catch (err) {
    await rm(part, { force: true });
    // Name the file the user asked for, not our temporary one.
    const fsErr = err as NodeJS.ErrnoException;
    if (fsErr.path === part) Object.assign(fsErr, { path: out, syscall: 'write' });
    throw err;
  }
}

/**
 * A batch in three lines: status, counts (paused ones when there are), cost against its estimate and
 * cap (and a line on paused rows); one more when rows may have been generated (and billed) twice, so
 * nobody misses it.
 */
export function summary(batch: BatchView, money: Parameters<typeof moneyLines>[1] = {}): string {
  const c = batch.counts;
  const duplicates = batch.possible_duplicates;
  return [
    `batch ${batch.id} ${batch.status}: ${batch.total} rows`,
    `  completed ${c.completed}, failed ${c.failed}, cancelled ${c.cancelled}, generating ${c.generating}, queued ${c.queued}` +
      (c.paused > 0 ? `, paused ${c.paused}` : ''),
    ...moneyLines(batch, money),
    ...(duplicates > 0
      ? [
          `  possible duplicates ${duplicates}: these rows may have been generated and billed twice (possible_duplicate in the results)`,
        ]
      : []),
  ].join('\n');
}
