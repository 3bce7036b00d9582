import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { BatchRowInput } from '../src/index.js';
import type { ContractContext } from './contract-context.js';

/**
 * The contract's money cases: dry runs (rows and files) as the API answers them, a video's estimate and
 * its own cap, a batch's cap set and removed, the balance. The stack's simulator prices Kandinsky
 * distill at 0.02 USD per second and Kandinsky 5 at 0.04.
 */
export function moneyCases(c: ContractContext): void {
  const rows: BatchRowInput[] = [
    { prompt: 'a paper boat', duration: 10 },
    { prompt: 'a lantern', model: 'sber-ai/kandinsky5-t2v' },
    { prompt: 'a kite' },
  ];
  const jsonl = rows.map((r) => `${JSON.stringify(r)}\n`).join('');

  it('estimates rows and files as the API dry run does, enqueueing nothing', async () => {
    const before = await c.jobCount();
    const estimate = await c.vq.estimate(rows);
    const api = await c.api('/v1/batches?dry_run=true', {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: jsonl,
    });
    expect(api.status).toBe(200);
    // The balance moves as the stack's generations complete; everything else is the same answer.
    const { balance_usd: _b, ...same } = api.body as Record<string, unknown>;
    expect(estimate).toMatchObject(same);
    expect(estimate).toMatchObject({
      total: 3,
      skipped: 0,
      estimated_cost_usd: 0.5,
      unpriced_rows: 0,
      by_model: [
        { model: 'sber-ai/kandinsky5-distill-t2v', rows: 2, estimated_cost_usd: 0.3, unpriced_rows: 0 },
        { model: 'sber-ai/kandinsky5-t2v', rows: 1, estimated_cost_usd: 0.2, unpriced_rows: 0 },
      ],
    });
    expect(estimate.balance_usd).toBeTypeOf('number');

    const file = join(c.dir, 'estimate.csv');
    await writeFile(file, 'prompt,duration\na,5\nb,7\nc,10\n');
    expect(await c.vq.estimateFile(file, { onInvalid: 'skip' })).toMatchObject({
      total: 2,
      skipped: 1,
      estimated_cost_usd: 0.3,
    });
    const refused = await c.vq.estimateFile(file).catch((err: unknown) => err);
    expect(c.asBody(refused).error.code).toBe('INVALID_ROWS');
    expect(await c.jobCount()).toBe(before);
  });

  it("answers a video's estimate, and refuses one over its own max_cost_usd with the API's body", async () => {
    const video = await c.vq.enqueue({ prompt: 'a heron', duration: 10 });
    expect(video.estimated_cost_usd).toBe(0.2);
    expect((await c.vq.get(video.id)).estimated_cost_usd).toBe(0.2);
    const body = { prompt: 'a heron', duration: 10, max_cost_usd: 0.1 };
    const err = await c.vq.enqueue(body).catch((e: unknown) => e);
    const api = await c.api('/v1/videos', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(api.status).toBe(422);
    expect(c.asBody(err)).toEqual(api.body);
  });

  it("sets, shows and removes a batch's cap", async () => {
    const batch = await c.vq.enqueueMany(rows, { maxCostUsd: 5 });
    expect(batch).toMatchObject({ max_cost_usd: 5, estimated_cost_usd: 0.5, unpriced_rows: 0 });
    await expect
      .poll(async () => (await c.vq.getBatch(batch.id)).status, { timeout: 20_000, interval: 100 })
      .toBe('completed');
    const done = await c.vq.getBatch(batch.id);
    expect(done).toMatchObject({
      max_cost_usd: 5,
      estimated_cost_usd: 0.5,
      cost_usd: 0.5,
      committed_cost_usd: 0.5,
    });
    const err = await c.vq.updateBatch(batch.id, { maxCostUsd: null }).catch((e: unknown) => e);
    expect(c.asBody(err).error.code).toBe('BATCH_FINISHED');

    const open = await c.vq.enqueueMany(rows, { maxCostUsd: 0.01 });
    await expect
      .poll(async () => (await c.vq.getBatch(open.id)).status, { timeout: 20_000, interval: 100 })
      .toBe('paused');
    const raised = await c.vq.updateBatch(open.id, { maxCostUsd: null });
    expect(raised.max_cost_usd).toBeNull();
    await expect
      .poll(async () => (await c.vq.getBatch(open.id)).status, { timeout: 20_000, interval: 100 })
      .toBe('completed');
  });

  it('reads the balance', async () => {
    const balance = await c.vq.balance();
    expect(balance).toMatchObject({ currency: 'USD', reason: null });
    expect(balance.balance_usd).toBeGreaterThan(0);
  });
}
