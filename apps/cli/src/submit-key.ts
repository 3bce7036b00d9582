import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { uploadFormat } from '@vidqueue/client/http';

/**
 * The Idempotency-Key `vidq submit` sends unless given one: the SHA-256 of the file's bytes and of the
 * options that change what it enqueues or spends (format, model, on_invalid, max cost). Running the same command again,
 * after a client timeout for instance, answers the same batch instead of enqueueing the file twice.
 */
export async function defaultIdempotencyKey(
  file: string,
  options: { model?: string | undefined; onInvalid: 'reject' | 'skip'; maxCostUsd?: number | undefined },
): Promise<string> {
  if ((await stat(file)).isDirectory()) {
    throw Object.assign(new Error(`EISDIR: ${file} is a directory`), {
      code: 'EISDIR',
      syscall: 'read',
      path: file,
    });
  }
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  const opts = {
    format: uploadFormat(file, undefined),
    model: options.model ?? null,
    on_invalid: options.onInvalid,
    // Only when set: keys of runs without a cap stay what they were.
    ...(options.maxCostUsd !== undefined && { max_cost_usd: options.maxCostUsd }),
  };
  hash.update(`\n${JSON.stringify(opts)}`);
  return `vidq-submit-${hash.digest('hex')}`;
}
