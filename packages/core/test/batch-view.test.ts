import { describe, expect, it } from 'vitest';
import {
  batchStatus,
  isBatchFinished,
  requestFingerprint,
  toBatchResultRow,
  toBatchView,
  toCreatedBatchView,
  type BatchRecord,
} from '../src/contract/index.js';

function stored(
  meta: Partial<BatchRecord['meta']>,
  counts: Partial<BatchRecord['counts']> = {},
): BatchRecord {
  return {
    meta: {
      id: 'bat_1',
      total: 3,
      skipped: 1,
      format: 'csv',
      createdAt: Date.UTC(2026, 0, 1),
      columns: [],
      ...meta,
    },
    counts: { queued: 3, paused: 0, generating: 0, completed: 0, failed: 0, cancelled: 0, ...counts },
    costUsd: 0.1 + 0.2,
    committedUsd: 0,
  };
}

describe('batch views', () => {
  it('derives the status: queued, running, paused, completed, cancelled (cancel wins)', () => {
    expect(batchStatus(stored({}))).toBe('queued');
    expect(batchStatus(stored({}, { queued: 2, generating: 1 }))).toBe('running');
    expect(batchStatus(stored({}, { queued: 0, completed: 1, paused: 2 }))).toBe('paused');
    expect(batchStatus(stored({}, { queued: 1, completed: 1, paused: 1 }))).toBe('running');
    expect(batchStatus(stored({ finishedAt: 1 }, { queued: 0, completed: 3 }))).toBe('completed');
    expect(batchStatus(stored({ finishedAt: 1, cancelledAt: 1 }))).toBe('cancelled');
    expect(isBatchFinished(stored({ finishedAt: 1 }))).toBe(true);
    expect(isBatchFinished(stored({ finishedAt: 1, cancelledAt: 1 }))).toBe(false);
  });

  it('maps the stored batch to the API shapes', () => {
    const batch = stored(
      { finishedAt: Date.UTC(2026, 0, 2), estimatedCostUsd: 0.35, unpricedRows: 1, maxCostUsd: 1 },
      { queued: 0, completed: 3 },
    );
    expect(toBatchView({ ...batch, committedUsd: 0.3 })).toEqual({
      id: 'bat_1',
      status: 'completed',
      total: 3,
      counts: batch.counts,
      cost_usd: 0.3,
      estimated_cost_usd: 0.35,
      unpriced_rows: 1,
      max_cost_usd: 1,
      committed_cost_usd: 0.3,
      created_at: '2026-01-01T00:00:00.000Z',
      finished_at: '2026-01-02T00:00:00.000Z',
    });
    expect(toCreatedBatchView(batch)).toEqual({
      id: 'bat_1',
      status: 'completed',
      total: 3,
      skipped: 1,
      estimated_cost_usd: 0.35,
      unpriced_rows: 1,
      max_cost_usd: 1,
      created_at: '2026-01-01T00:00:00.000Z',
    });
    // An older batch (no estimate recorded): null and 0, never a made-up figure.
    expect(toBatchView(stored({}))).toMatchObject({
      estimated_cost_usd: null,
      unpriced_rows: 0,
      max_cost_usd: null,
    });
  });

  it('maps a row record to a results line with nulls for what is missing', () => {
    const row = toBatchResultRow({
      row: 2,
      status: 'failed',
      attempt: 0,
      input: { input: { prompt: 'a fox', model: 'm' }, metadata: { k: 1 } },
      outcome: { error: { code: 'provider_rejected', message: 'no' } },
    });
    expect(row).toEqual({
      row: 2,
      custom_id: null,
      status: 'failed',
      video_url: null,
      error_code: 'provider_rejected',
      error_message: 'no',
      generation_id: null,
      cost_usd: null,
      prompt: 'a fox',
      model: 'm',
      metadata: { k: 1 },
    });
  });
});

describe('requestFingerprint', () => {
  it('ignores key order and undefined fields, and tells different requests apart', () => {
    const a = requestFingerprint({
      input: { prompt: 'p', model: 'm', duration: 5 },
      metadata: { x: 1, y: 2 },
    });
    const b = requestFingerprint({
      customId: undefined,
      metadata: { y: 2, x: 1 },
      input: { duration: 5, model: 'm', prompt: 'p' },
    });
    expect(a).toBe(b);
    expect(requestFingerprint({ input: { prompt: 'p', model: 'm', duration: 10 } })).not.toBe(a);
  });
});
