import { describe, expect, it } from 'vitest';
import type { BatchView } from '@vidqueue/client';
import { summary } from '../src/results.js';

const batch = (possible_duplicates: number): BatchView => ({
  id: 'bat_x',
  status: 'completed',
  total: 3,
  counts: { queued: 0, paused: 0, generating: 0, completed: 3, failed: 0, cancelled: 0 },
  cost_usd: 0.3,
  possible_duplicates,
  estimated_cost_usd: null,
  unpriced_rows: 0,
  max_cost_usd: null,
  committed_cost_usd: 0,
  created_at: new Date(0).toISOString(),
  finished_at: new Date(1).toISOString(),
});

describe('the batch summary (vidq status, submit --wait, cancel)', () => {
  it('counts the rows that may have been generated and billed twice, when there are any', () => {
    expect(summary(batch(2)).split('\n')).toEqual([
      'batch bat_x completed: 3 rows',
      '  completed 3, failed 0, cancelled 0, generating 0, queued 0',
      '  cost $0.3000',
      '  possible duplicates 2: these rows may have been generated and billed twice (possible_duplicate in the results)',
    ]);
    expect(summary(batch(0))).not.toContain('possible duplicates');
  });
});
