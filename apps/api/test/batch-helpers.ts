import { mkdtempSync, rmSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { App } from '../src/app.js';

/**
 * Gives the calling test file a private TMPDIR (os.tmpdir() reads it on every call), so other test
 * files spooling uploads at the same time cannot disturb the check that every spooled upload is
 * deleted. Call it at the top level of the file: it registers a beforeAll that sets TMPDIR and an
 * afterAll that restores it and removes the directory.
 */
export function usePrivateTmpdir(): void {
  const savedTmp = process.env.TMPDIR;
  const privateTmp = mkdtempSync(join(tmpdir(), 'vidq-test-tmp-'));
  beforeAll(() => {
    process.env.TMPDIR = privateTmp;
  });
  afterAll(() => {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
    rmSync(privateTmp, { recursive: true, force: true });
  });
}

/** The upload spool directories (`vidq-batch-*`) in the current tmpdir. */
export async function spoolDirs(): Promise<string[]> {
  return (await readdir(tmpdir())).filter((d) => d.startsWith('vidq-batch-'));
}

/** A multipart/form-data body with one file part (and optional text fields before it). */
export function multipartBody(
  file: { field?: string; filename: string; type: string; content: string | Buffer },
  fields: Record<string, string> = {},
): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----vidq${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(
      Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
    );
  }
  parts.push(
    Buffer.from(
      `--${boundary}\r\ncontent-disposition: form-data; name="${file.field ?? 'file'}"; filename="${file.filename}"\r\ncontent-type: ${file.type}\r\n\r\n`,
    ),
    Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return {
    payload: Buffer.concat(parts),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

export type Created = {
  id: string;
  status: string;
  total: number;
  skipped: number;
  skipped_rows?: { line: number; row?: number; column?: string; message: string }[];
  estimated_cost_usd: number | null;
  unpriced_rows: number;
  max_cost_usd: number | null;
  created_at: string;
};

export type BatchBody = {
  id: string;
  status: string;
  total: number;
  counts: Record<'queued' | 'paused' | 'generating' | 'completed' | 'failed' | 'cancelled', number>;
  cost_usd: number;
  estimated_cost_usd: number | null;
  unpriced_rows: number;
  max_cost_usd: number | null;
  committed_cost_usd: number;
  possible_duplicates: number;
  created_at: string;
  finished_at: string | null;
};

export type ErrorReply = {
  error: {
    code: string;
    message: string;
    details?: {
      errors?: { line: number; row?: number; column?: string; message: string }[];
      error_count?: number;
      reason?: string;
      line?: number;
    };
  };
};

export function postBatch(
  app: App,
  payload: string | Buffer,
  contentType = 'text/csv',
  query = '',
  headers: Record<string, string> = {},
) {
  return app.inject({
    method: 'POST',
    url: `/v1/batches${query}`,
    payload,
    headers: { 'content-type': contentType, ...headers },
  });
}

export async function jobTotal(app: App): Promise<number> {
  const counts = await app.queue.getJobCounts();
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

export function sumCounts(counts: BatchBody['counts']): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}
