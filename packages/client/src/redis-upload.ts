import { createReadStream } from 'node:fs';
import { makeSpoolDir, producerError, spoolUpload, type Producer } from '@vidqueue/core/producer';
import type { BatchRowInput, CreatedBatch, UploadOptions } from './types.js';
import { uploadFormat } from './upload-format.js';

/**
 * `enqueueMany` in the Redis mode: the rows become the same JSONL the HTTP mode uploads, in memory,
 * and go through the producer's one batch ingest (the API's rules, messages, batch store and job ids).
 */
export async function enqueueRows(
  producer: Producer,
  rows: Iterable<BatchRowInput> | AsyncIterable<BatchRowInput>,
  idempotencyKey: string | undefined,
): Promise<CreatedBatch> {
  const lines: string[] = [];
  for await (const row of rows) lines.push(`${JSON.stringify(row)}\n`);
  const bytes = Buffer.from(lines.join(''));
  return (await producer.ingestBatch({ bytes }, { format: 'jsonl', idempotencyKey })).batch;
}

/**
 * `uploadBatch` in the Redis mode: the file (or stream) is spooled to a private temp file as the API
 * spools an upload (413 FILE_TOO_LARGE past MAX_UPLOAD_BYTES), then ingested like one.
 */
export async function uploadFile(
  producer: Producer,
  file: string | NodeJS.ReadableStream,
  options: UploadOptions,
): Promise<CreatedBatch> {
  const format = uploadFormat(file, options.format);
  const maxBytes = producer.ctx.config.MAX_UPLOAD_BYTES;
  const spool = await makeSpoolDir();
  try {
    const source = typeof file === 'string' ? createReadStream(file) : file;
    const spooled = await spoolUpload(source, spool.file, maxBytes);
    if (spooled.tooLarge) {
      if (typeof file === 'string') (source as ReturnType<typeof createReadStream>).destroy();
      throw producerError.fileTooLarge(maxBytes);
    }
    const { batch } = await producer.ingestBatch(
      { path: spooled.path, sha256: spooled.sha256 },
      { format, model: options.model, onInvalid: options.onInvalid, idempotencyKey: options.idempotencyKey },
    );
    return batch;
  } finally {
    await spool.remove();
  }
}
