import { describe, expect, it } from 'vitest';
import {
  BATCH_RESULT_COLUMNS,
  batchResultCell,
  batchStatus,
  withArchive,
  isBatchFinished,
  requestFingerprint,
  retryCarry,
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
    possibleDuplicates: 0,
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
      possible_duplicates: 0,
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
      provider_video_url: null,
      archive: null,
      error_code: 'provider_rejected',
      error_message: 'no',
      generation_id: null,
      generation_ids: [],
      cost_usd: null,
      prompt: 'a fox',
      model: 'm',
      metadata: { k: 1 },
    });
  });

  it("shows a retried row's earlier generations, charges and flag beside the current attempt", () => {
    const row = toBatchResultRow({
      row: 1,
      status: 'completed',
      attempt: 2,
      input: { input: { prompt: 'a fox', model: 'm' } },
      outcome: { video_url: 'u', generation_id: 'g3', cost_usd: 0.1 },
      prior: { generation_ids: ['g1', 'g2'], possible_duplicate: true, cost_micro_usd: 200_000 },
    });
    expect(row).toMatchObject({
      generation_id: 'g3',
      generation_ids: ['g1', 'g2', 'g3'],
      cost_usd: 0.3,
      possible_duplicate: true,
    });
  });
});

describe('retryCarry: what a retried row keeps', () => {
  const error = (code: string) => ({ code, message: 'x' });
  it('flags a row whose failed attempt may have made a billed generation, and keeps ids and charges', () => {
    expect(retryCarry(undefined, { error: error('submission_unknown') })).toEqual({
      possible_duplicate: true,
    });
    expect(
      retryCarry(undefined, { error: error('deadline_exceeded'), generation_id: 'g1', cost_usd: 0.1 }),
    ).toEqual({
      generation_ids: ['g1'],
      possible_duplicate: true,
      cost_micro_usd: 100_000,
    });
    expect(retryCarry(undefined, { error: error('retries_exhausted'), possible_duplicate: true })).toEqual({
      possible_duplicate: true,
    });
    // Failures that prove nothing billable exists, or that nothing was created, flag nothing.
    expect(retryCarry(undefined, { error: error('generation_failed'), generation_id: 'g1' })).toEqual({
      generation_ids: ['g1'],
    });
    expect(retryCarry(undefined, { error: error('generation_not_found'), generation_id: 'g1' })).toEqual({
      generation_ids: ['g1'],
    });
    expect(retryCarry(undefined, { error: error('rejected_by_provider') })).toEqual({});
    // A retry of a retry keeps everything (a flag is never cleared), whatever the last failure.
    const prior = { generation_ids: ['g1'], possible_duplicate: true as const, cost_micro_usd: 100_000 };
    expect(retryCarry(prior, { error: error('retry_not_queued') })).toEqual(prior);
    expect(retryCarry(prior, { error: error('generation_failed'), generation_id: 'g2' })).toEqual({
      ...prior,
      generation_ids: ['g1', 'g2'],
    });
  });
});

describe('archived rows and videos', () => {
  const archive = {
    status: 'archived' as const,
    storage_key: 'batches/bat_1/bat_1-3-r1.mp4',
    bytes: 4568,
    sha256: 'ab'.repeat(32),
    archived_at: '2026-12-01T10:00:00.000Z',
  };
  const record = {
    row: 3,
    status: 'completed' as const,
    attempt: 1,
    input: { input: { prompt: 'a fox', model: 'm' } },
    outcome: { video_url: 'https://cdn.example/v.mp4?sig=x', generation_id: 'g' },
  };

  it('a completed, archived row points at our content URL (its job id, retries included) and shows the archive', () => {
    const row = toBatchResultRow(record, {
      batchId: 'bat_1',
      archive,
      publicBase: 'https://vidq.example.com',
    });
    expect(row).toMatchObject({
      video_url: 'https://vidq.example.com/v1/videos/bat_1-3-r1/content',
      provider_video_url: 'https://cdn.example/v.mp4?sig=x',
      archive: { status: 'archived', bytes: 4568, sha256: 'ab'.repeat(32), archived_at: archive.archived_at },
    });
    expect(row.archive).not.toHaveProperty('storage_key');
    expect(BATCH_RESULT_COLUMNS.map((c) => batchResultCell(row, c)).slice(3, 9)).toEqual([
      'https://vidq.example.com/v1/videos/bat_1-3-r1/content',
      'https://cdn.example/v.mp4?sig=x',
      'archived',
      4568,
      'ab'.repeat(32),
      archive.archived_at,
    ]);
  });

  it('a failed archive keeps the provider URL and says why', () => {
    const failed = {
      ...archive,
      status: 'archive_failed' as const,
      bytes: null,
      sha256: null,
      archived_at: null,
      reason: 'source_expired',
    };
    const row = toBatchResultRow(record, {
      batchId: 'bat_1',
      archive: failed,
      publicBase: 'https://vidq.example.com',
    });
    expect(row.video_url).toBe('https://cdn.example/v.mp4?sig=x');
    expect(row.archive).toEqual({
      status: 'archive_failed',
      bytes: null,
      sha256: null,
      archived_at: null,
      reason: 'source_expired',
    });
    const view = {
      id: 'vid_1',
      status: 'completed',
      provider_video_url: 'https://cdn.example/v.mp4',
      video_url: 'https://cdn.example/v.mp4',
      archive: null,
    };
    expect(withArchive(view, failed, 'http://x')).toMatchObject({
      video_url: 'https://cdn.example/v.mp4',
      archive: { reason: 'source_expired' },
    });
    expect(withArchive(view, archive, 'http://x').video_url).toBe('http://x/v1/videos/vid_1/content');
    expect(withArchive({ ...view, status: 'failed' }, archive, 'http://x')).toMatchObject({ archive: null });
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
