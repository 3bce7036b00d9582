import { createReadStream } from 'node:fs';
import { makeSpoolDir, producerError, spoolUpload, type Producer } from '@vidqueue/core/producer';
import type {
  BatchEstimate,
  BatchRowInput,
  CreatedBatch,
  EnqueueManyOptions,
  EstimateOptions,
  UploadOptions,
} from './types.js';
import { uploadFormat } from './upload-format.js';

/**
 * `enqueueMany` in the Redis mode: the rows become the same JSONL the HTTP mode uploads, in memory,
 * and go through the producer's one batch ingest (the API's rules, messages, batch store and job ids).
 */
export async function enqueueRows(
  producer: Producer,
  rows: Iterable<BatchRowInput> | AsyncIterable<BatchRowInput>,
  options: EnqueueManyOptions,
): Promise<CreatedBatch> {
  const bytes = await jsonl(rows);
  const { idempotencyKey, maxCostUsd, ignoreBalance } = options;
  const { batch, replayed } = await producer.ingestBatch(
    { bytes },
    { format: 'jsonl', idempotencyKey, maxCostUsd, ignoreBalance },
  );
  return replayed ? { ...batch, replayed: true } : batch;
}

/** The rows as the JSONL the HTTP mode sends. */
async function jsonl(rows: Iterable<BatchRowInput> | AsyncIterable<BatchRowInput>): Promise<Buffer> {
  const lines: string[] = [];
  for await (const row of rows) lines.push(`${JSON.stringify(row)}\n`);
  return Buffer.from(lines.join(''));
}

/** `estimate` in the Redis mode: the producer's dry run over the rows as JSONL. */
export async function estimateRows(
  producer: Producer,
  rows: Iterable<BatchRowInput> | AsyncIterable<BatchRowInput>,
  options: Omit<EstimateOptions, 'format'>,
): Promise<BatchEstimate> {
  return producer.estimateBatch(
    { bytes: await jsonl(rows) },
    { format: 'jsonl', model: options.model, onInvalid: options.onInvalid },
  );
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
  return spooled(producer, file, async (source) => {
    const { batch, replayed } = await producer.ingestBatch(source, {
      format: uploadFormat(file, options.format),
      model: options.model,
      onInvalid: options.onInvalid,
      idempotencyKey: options.idempotencyKey,
      maxCostUsd: options.maxCostUsd,
      ignoreBalance: options.ignoreBalance,
    });
    return replayed ? { ...batch, replayed: true } : batch;
  });
}

/** `estimateFile` in the Redis mode: the file spooled as for an upload, then the producer's dry run. */
export function estimateUpload(
  producer: Producer,
  file: string | NodeJS.ReadableStream,
  options: EstimateOptions,
): Promise<BatchEstimate> {
  return spooled(producer, file, (source) =>
    producer.estimateBatch(source, {
      format: uploadFormat(file, options.format),
      model: options.model,
      onInvalid: options.onInvalid,
    }),
  );
}

/** Runs `use` over a private copy of the file (413 FILE_TOO_LARGE past MAX_UPLOAD_BYTES), removed after. */
async function spooled<T>(
  producer: Producer,
  file: string | NodeJS.ReadableStream,
  use: (source: { path: string; sha256: string }) => Promise<T>,
): Promise<T> {
  const maxBytes = producer.ctx.config.MAX_UPLOAD_BYTES;
  const spool = await makeSpoolDir();
  try {
    const source = typeof file === 'string' ? createReadStream(file) : file;
    const copy = await spoolUpload(source, spool.file, maxBytes);
    if (copy.tooLarge) {
      if (typeof file === 'string') (source as ReturnType<typeof createReadStream>).destroy();
      throw producerError.fileTooLarge(maxBytes);
    }
    return await use({ path: copy.path, sha256: copy.sha256 });
  } finally {
    await spool.remove();
  }
}
