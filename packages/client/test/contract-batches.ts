import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ApiError, NotFoundError, VidqueueError, type BatchRowInput } from '../src/index.js';
import type { ContractContext } from './contract-context.js';

/** The contract's batch cases: enqueue, upload, refusals, results and export, cancel, retry. */
export function batchCases(c: ContractContext): void {
  async function waitForBatch(id: string): Promise<void> {
    await expect
      .poll(
        async () => {
          const { counts, total } = await c.vq.getBatch(id);
          return counts.completed + counts.failed + counts.cancelled === total;
        },
        { timeout: 20_000, interval: 100 },
      )
      .toBe(true);
  }

  it('enqueues a batch and streams every row back in input order, with metadata', async () => {
    const rows: BatchRowInput[] = [
      {
        prompt: 'a kite on a windy hill',
        custom_id: 'kite',
        duration: 5,
        metadata: { campaign: 'spring' },
      },
      {
        prompt: 'koi in a pond, seen from above',
        aspect_ratio: '1:1',
        metadata: { campaign: 'nature', n: 2 },
      },
      { prompt: 'rain on a window', custom_id: 'rain', metadata: { mood: 'cozy' } },
    ];
    async function* source() {
      for (const row of rows) yield await Promise.resolve(row);
    }
    const key = `batch-${c.mode}-${Date.now()}`;
    const batch = await c.vq.enqueueMany(source(), { idempotencyKey: key });
    expect(batch).toMatchObject({ total: 3, skipped: 0 });
    expect(batch.id).toMatch(/^bat_/);
    expect(batch.replayed).toBeUndefined();
    // The same rows with the same key: the same batch, also through the other way in, said to be a replay.
    const repeat = await c.vq.enqueueMany(rows, { idempotencyKey: key });
    expect([repeat.id, repeat.replayed]).toEqual([batch.id, true]);
    const res = await fetch(`${c.stack.api.url}/v1/batches`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer client-test-token-3b7e',
        'content-type': 'application/x-ndjson',
        'idempotency-key': key,
      },
      body: rows.map((r) => `${JSON.stringify(r)}\n`).join(''),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { id: string }).id).toBe(batch.id);

    await waitForBatch(batch.id);
    const view = await c.vq.getBatch(batch.id);
    expect(view).toMatchObject({ id: batch.id, status: 'completed', total: 3 });
    expect(view.counts).toEqual({
      queued: 0,
      paused: 0,
      generating: 0,
      completed: 3,
      failed: 0,
      cancelled: 0,
    });
    expect(view.finished_at).not.toBeNull();

    const results = [];
    for await (const row of c.vq.results(batch.id)) results.push(row);
    expect(results.map((r) => [r.row, r.custom_id, r.status, r.prompt])).toEqual([
      [1, 'kite', 'completed', 'a kite on a windy hill'],
      [2, null, 'completed', 'koi in a pond, seen from above'],
      [3, 'rain', 'completed', 'rain on a window'],
    ]);
    expect(results[0]?.metadata).toEqual({ campaign: 'spring' });
    expect(results[2]?.metadata).toEqual({ mood: 'cozy' });
    expect(results.every((r) => r.video_url?.startsWith('http') && r.generation_id)).toBe(true);
  });

  it('refuses a batch with a bad row, listing each error, and enqueues nothing', async () => {
    const before = await c.jobCount();
    const err = await c.vq
      .enqueueMany([{ prompt: 'fine' }, { prompt: 'bad', duration: 7 }, { prompt: '' }])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 422, code: 'INVALID_ROWS', details: { error_count: 2 } });
    const errors = (err as ApiError).details as { errors: { row: number; message: string }[] };
    expect(errors.errors.map((e) => e.row)).toEqual([2, 3]);
    expect(errors.errors[0]?.message).toContain('5, 10');
    expect(await c.jobCount()).toBe(before);
  });

  it('refuses bad and empty batches with the very status, code, message and details the API answers', async () => {
    const before = await c.jobCount();
    const cases: BatchRowInput[][] = [
      [{ prompt: 'fine' }, { prompt: 'bad', duration: 7 }, { prompt: '' }],
      [{ prompt: 'bad', duration: 7 }],
      [{ prompt: 'fine', custom_id: 'c'.repeat(257) }],
      [{ prompt: 'fine', metadata: { note: 'n'.repeat(1001) } }],
      [],
    ];
    for (const rows of cases) {
      const err = await c.vq.enqueueMany(rows).catch((e: unknown) => e);
      const answer = await c.api('/v1/batches', {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body: rows.map((r) => `${JSON.stringify(r)}\n`).join(''),
      });
      expect(answer.status).toBe(422);
      expect((err as ApiError).status).toBe(422);
      expect(c.asBody(err), JSON.stringify(rows)).toEqual(answer.body);
    }
    expect(await c.jobCount()).toBe(before);
  });

  it('uploads a CSV file (path or stream), skipping invalid rows, and exports the results as the API does', async () => {
    const file = join(c.dir, 'prompts.csv');
    await writeFile(
      file,
      [
        'custom_id,prompt,duration,campaign',
        'fox,"a red fox, in snow",5,winter',
        'bad,a fox,7,x',
        ',koi,,spring',
      ].join('\n'),
    );
    const key = `upload-${c.mode}-${Date.now()}`;
    const created = await c.vq.uploadBatch(file, { onInvalid: 'skip', idempotencyKey: key });
    expect(created).toMatchObject({ status: 'queued', total: 2, skipped: 1 });
    expect(created.skipped_rows).toEqual([
      { line: 3, row: 2, column: 'duration', message: expect.stringContaining('5, 10') as unknown },
    ]);
    // The same file again under the key, as a stream: the same batch.
    const again = await c.vq.uploadBatch(createReadStream(file), { onInvalid: 'skip', idempotencyKey: key });
    expect(again.id).toBe(created.id);
    expect(again.replayed).toBe(true);
    expect(again.skipped_rows).toBeUndefined();
    // Other options under that key (another model for rows without one) are another request.
    const otherModel = await c.vq
      .uploadBatch(file, { onInvalid: 'skip', model: 'sber-ai/kandinsky5-t2v', idempotencyKey: key })
      .catch((e: unknown) => e);
    expect(otherModel).toBeInstanceOf(ApiError);
    expect(otherModel).toMatchObject({ status: 409, code: 'IDEMPOTENCY_KEY_MISMATCH' });
    await waitForBatch(created.id);

    for (const format of ['csv', 'jsonl'] as const) {
      const chunks: Uint8Array[] = [];
      for await (const chunk of c.vq.exportResults(created.id, format)) chunks.push(chunk);
      const text = Buffer.concat(chunks).toString('utf8');
      // fetch's text() drops a leading byte order mark; the CSV export starts with one.
      const body = (await c.api(`/v1/batches/${created.id}/results?format=${format}`)).body;
      expect(text).toBe(format === 'csv' ? `\uFEFF${String(body)}` : body);
    }
    const chunks: Uint8Array[] = [];
    for await (const chunk of c.vq.exportResults(created.id, 'csv')) chunks.push(chunk);
    const exported = Buffer.concat(chunks).toString('utf8');
    expect(exported.startsWith('\uFEFF')).toBe(true); // the UTF-8 byte order mark spreadsheets look for
    const lines = exported.slice(1).trim().split('\n');
    expect(lines[0]).toBe(
      'row,custom_id,status,video_url,provider_video_url,archive_status,archive_bytes,archive_sha256,archived_at,error_code,error_message,generation_id,cost_usd,prompt,model,possible_duplicate,generation_ids,campaign',
    );
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 3).join(','))).toEqual([
      '1,fox,completed',
      '3,,completed',
    ]);

    const missing = await (async () => {
      for await (const _ of c.vq.exportResults('bat_doesnotexist', 'csv')) return undefined;
    })().catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing).toMatchObject({ id: 'bat_doesnotexist', code: 'BATCH_NOT_FOUND' });
  });

  it("refuses to cancel a finished video or batch with the API's 409", async () => {
    const queued = await c.vq.enqueue({ prompt: 'a quick one' });
    await c.vq.waitFor(queued.id, { timeoutMs: 20_000 });
    const videoErr = await c.vq.cancel(queued.id).catch((e: unknown) => e);
    const videoAnswer = await c.api(`/v1/videos/${queued.id}`, { method: 'DELETE' });
    expect(videoAnswer.status).toBe(409);
    expect((videoErr as ApiError).status).toBe(409);
    expect(c.asBody(videoErr)).toEqual(videoAnswer.body);
    expect((videoErr as ApiError).message).toBe(
      `Video ${queued.id} has already completed and cannot be cancelled`,
    );

    const batch = await c.vq.enqueueMany([{ prompt: 'a quick row' }]);
    await waitForBatch(batch.id);
    const batchErr = await c.vq.cancelBatch(batch.id).catch((e: unknown) => e);
    const batchAnswer = await c.api(`/v1/batches/${batch.id}`, { method: 'DELETE' });
    expect(batchAnswer.status).toBe(409);
    expect((batchErr as ApiError).status).toBe(409);
    expect(c.asBody(batchErr)).toEqual(batchAnswer.body);
    expect((batchErr as ApiError).code).toBe('BATCH_FINISHED');
  });

  it('purges a finished batch as the API does (HTTP mode), or says HTTP_ONLY (Redis mode)', async () => {
    const batch = await c.vq.enqueueMany([{ prompt: 'a row to purge' }, { prompt: 'another' }]);
    if (c.mode === 'redis') {
      await expect(c.vq.purgeBatch(batch.id)).rejects.toMatchObject({ code: 'HTTP_ONLY' });
      return;
    }
    await waitForBatch(batch.id);
    expect(await c.vq.purgeBatch(batch.id)).toEqual({
      id: batch.id,
      purged: true,
      jobs_removed: 2,
      files_removed: 0,
    });
    await expect(c.vq.getBatch(batch.id)).rejects.toBeInstanceOf(NotFoundError);
    const again = await c.vq.purgeBatch(batch.id).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(NotFoundError);
    expect(again).toMatchObject({ id: batch.id, code: 'BATCH_NOT_FOUND' });
  });

  it("a batch file that cannot be read: the file system's own error, nothing sent or enqueued", async () => {
    const jobs = await c.jobCount();
    const missing = join(c.dir, 'no-such-file.csv');
    for (const call of [() => c.vq.uploadBatch(missing), () => c.vq.estimateFile(missing)]) {
      const err = await call().catch((e: unknown) => e);
      expect(err).not.toBeInstanceOf(VidqueueError); // not "the API is unreachable"
      expect(err).toMatchObject({ code: 'ENOENT', path: missing });
    }
    await expect(c.vq.uploadBatch(c.dir)).rejects.toMatchObject({ code: 'EISDIR' });
    expect(await c.jobCount()).toBe(jobs);
  });

  it('retries the failed rows of a batch, and cancels a running one', async () => {
    c.stack.simulator.configure({ createFaults: { fail: 1 } });
    let failing: string;
    try {
      failing = (await c.vq.enqueueMany([{ prompt: 'one' }, { prompt: 'two' }])).id;
      await waitForBatch(failing);
    } finally {
      c.stack.simulator.configure({ createFaults: { fail: 0 } });
    }
    expect((await c.vq.getBatch(failing)).counts.failed).toBe(2);
    expect(await c.vq.retryFailed(failing)).toEqual({ retried: 2 });
    await waitForBatch(failing);
    expect((await c.vq.getBatch(failing)).counts.completed).toBe(2);

    c.stack.simulator.configure({ generationMs: 60_000 });
    try {
      const slow = await c.vq.enqueueMany([{ prompt: 'slow one' }, { prompt: 'slow two' }]);
      const cancelled = await c.vq.cancelBatch(slow.id);
      expect(cancelled.status).toBe('cancelled');
      // A row a worker took just before the cancel may show `generating` until its next step.
      await expect
        .poll(async () => (await c.vq.getBatch(slow.id)).counts.cancelled, { timeout: 20_000, interval: 100 })
        .toBe(2);
    } finally {
      c.stack.simulator.configure({ generationMs: 300 });
    }
    await expect(c.vq.getBatch('bat_doesnotexist')).rejects.toBeInstanceOf(NotFoundError);
    await expect(c.vq.retryFailed('bat_doesnotexist')).rejects.toMatchObject({
      id: 'bat_doesnotexist',
      code: 'BATCH_NOT_FOUND',
    });
  });
}
