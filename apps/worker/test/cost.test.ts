import { describe, expect, it } from 'vitest';
import { costKnown, withReportedCost } from '../src/steps/cost.js';

describe('withReportedCost: one generation, one charge, from whichever answer reports it', () => {
  it('keeps a zero USD figure out when credits are reported (headers say 0 until the charge is recorded)', () => {
    // A create answer with `meta.usage.credits_used` and `x-aimlapi-usd-spent: 0`.
    const created = withReportedCost({}, { usdSpent: 0, creditsUsed: 3_150_000 });
    expect(created).toEqual({ creditsUsed: 3_150_000 });
    expect(costKnown(created)).toBe(true);
    // The usage-log row or a completed poll later brings the USD figure.
    expect(withReportedCost(created, { usdSpent: 1.575, creditsUsed: 3_150_000 })).toEqual({
      costUsd: 1.575,
      creditsUsed: 3_150_000,
    });
    // And a zero credits figure beside a positive USD one is left out the same way.
    expect(withReportedCost({}, { usdSpent: 0.1, creditsUsed: 0 })).toEqual({ costUsd: 0.1 });
  });

  it('a later zero never erases a known charge; a zero alone fills an empty slot', () => {
    const known = { costUsd: 0.1, creditsUsed: 200_000 };
    expect(withReportedCost(known, { usdSpent: 0, creditsUsed: 0 })).toEqual(known);
    expect(withReportedCost(known, {})).toEqual(known);
    expect(withReportedCost({}, { usdSpent: 0, creditsUsed: 0 })).toEqual({ costUsd: 0, creditsUsed: 0 });
    expect(withReportedCost({ costUsd: 0.1 }, { usdSpent: 0.12 })).toEqual({ costUsd: 0.12 });
  });
});
