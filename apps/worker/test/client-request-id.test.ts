import { describe, expect, it } from 'vitest';
import { CLIENT_REQUEST_ID } from '@vidqueue/aimlapi';
import { clientRequestStem, createAttemptOf, nextClientRequestId } from '../src/steps/submitting-data.js';

describe('X-Client-Request-Id of each create attempt', () => {
  it('is <jobId>-<n>-<nonce> for our ids, counting attempts', () => {
    const first = nextClientRequestId('vid_abc', undefined, 'a1b2c3d4');
    expect(first).toBe('vid_abc-1-a1b2c3d4');
    const second = nextClientRequestId('vid_abc', first, 'e5f6a7b8');
    expect(second).toBe('vid_abc-2-e5f6a7b8');
    expect(createAttemptOf('vid_abc', second)).toBe(2);
    // The previous worker's format `<jobId>-<n>` counts on.
    expect(nextClientRequestId('vid_abc', 'vid_abc-7', '00000000')).toBe('vid_abc-8-00000000');
    // Batch job ids end in -<row>; the stem is the whole id.
    expect(createAttemptOf('bat_x-5', nextClientRequestId('bat_x-5', undefined))).toBe(1);
  });

  it('is always valid and never shared, whatever job id another producer chose', () => {
    const ids = [
      '',
      '1',
      'a b',
      'a/b',
      'a_b',
      'émoji 🦊',
      'x'.repeat(500),
      'q?x=1&y=2',
      'with:colon.and-dash',
    ];
    const stems = ids.map(clientRequestStem);
    expect(new Set(stems).size).toBe(ids.length);
    for (const id of ids) {
      const crid = nextClientRequestId(id, undefined);
      expect(crid, JSON.stringify(id)).toMatch(CLIENT_REQUEST_ID);
      expect(createAttemptOf(id, crid)).toBe(1);
    }
    // Two queues reusing BullMQ's own ids under one key: the nonce keeps their attempts apart.
    expect(nextClientRequestId('1', undefined)).not.toBe(nextClientRequestId('1', undefined));
  });
});
