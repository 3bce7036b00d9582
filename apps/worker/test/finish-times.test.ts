import { describe, expect, it } from 'vitest';
import {
  EARLY_FIRST_CHECK_SHARE,
  decodeSample,
  encodeSample,
  finishQuantiles,
  isEarlyFirstCheck,
  type FinishSample,
} from '../src/finish-times.js';
import {
  CONCENTRATED_SAMPLES,
  MIN_EARLY_SAMPLES,
  earlyLowMs,
  estimateFromSamples,
} from '../src/duration-stats.js';

describe('finish samples', () => {
  it('are written compactly and read back, the older plain numbers as (0, n]', () => {
    const samples = [
      { pendingMs: 55_200, doneMs: 64_800, early: true },
      { pendingMs: 0, doneMs: 61_000 },
      { pendingMs: 59_800, doneMs: 69_000 },
    ];
    expect(samples.map(encodeSample)).toEqual(['e55200:64800', '61000', '59800:69000']);
    expect(samples.map(encodeSample).map(decodeSample)).toEqual(samples);
    expect(decodeSample('45000')).toEqual({ pendingMs: 0, doneMs: 45_000 });
    // A lower bound that is not below the upper one proves nothing: (0, done].
    expect(decodeSample('70000:60000')).toEqual({ pendingMs: 0, doneMs: 60_000 });
    for (const bad of ['', 'x', '0', '-5', 'e', '1:x']) expect(decodeSample(bad)).toBeUndefined();
  });

  it('count as early by when their first check was scheduled against the expected time', () => {
    expect(isEarlyFirstCheck(45_600, 60_000)).toBe(true);
    expect(isEarlyFirstCheck(60_000 * EARLY_FIRST_CHECK_SHARE, 60_000)).toBe(true);
    expect(isEarlyFirstCheck(60_100, 60_000)).toBe(false);
    // Placed without an expected time (the fixed schedule): early.
    expect(isEarlyFirstCheck(30_000, undefined)).toBe(true);
  });
});

describe('finishQuantiles', () => {
  it('a time every sample brackets: all the weight between the latest pending and the earliest done check', () => {
    const samples = [
      { pendingMs: 55_000, doneMs: 64_000 },
      { pendingMs: 0, doneMs: 60_100 },
      { pendingMs: 59_800, doneMs: 69_000 },
      { pendingMs: 0, doneMs: 61_000 },
      { pendingMs: 0, doneMs: 63_500 },
    ];
    expect(finishQuantiles(samples, [0.05, 0.5, 0.95])).toEqual(
      Array(3).fill({ lowerMs: 59_800, upperMs: 60_100 }),
    );
  });

  it('spreads the weight of a wide sample over what the others prove', () => {
    const samples = [
      { pendingMs: 0, doneMs: 10 },
      { pendingMs: 10, doneMs: 20 },
      { pendingMs: 20, doneMs: 30 },
      { pendingMs: 0, doneMs: 30 },
    ];
    expect(finishQuantiles(samples, [0.3, 0.5, 0.9])).toEqual([
      { lowerMs: 0, upperMs: 10 },
      { lowerMs: 10, upperMs: 20 },
      { lowerMs: 20, upperMs: 30 },
    ]);
    expect(finishQuantiles([], [0.5])).toEqual([]);
  });

  it('never grows with checks that all come after the finish (no creep)', () => {
    // Every first check found the video done, one at 60.1 s: nothing says later than that.
    const samples = [60_100, 61_000, 62_500, 63_000].map((doneMs) => ({ pendingMs: 0, doneMs }));
    expect(finishQuantiles(samples, [0.95])).toEqual([{ lowerMs: 0, upperMs: 60_100 }]);
  });
});

describe('estimateFromSamples', () => {
  const narrow: FinishSample[] = [
    ...Array.from({ length: 20 }, (_, i) => ({ pendingMs: 0, doneMs: 60_100 + i * 100 })),
    { pendingMs: 55_200, doneMs: 64_800, early: true },
    { pendingMs: 56_000, doneMs: 65_900, early: true },
    { pendingMs: 57_400, doneMs: 66_100, early: true },
  ];

  it('a narrow spread: low from the early samples, high from all', () => {
    expect(estimateFromSamples(narrow)).toEqual({
      p50Ms: 61_200,
      samples: 23,
      lowMs: 55_200,
      highMs: 60_100,
    });
  });

  it('a wide one: early samples seen done at their first check put the low bound at 0', () => {
    const wide = [
      ...narrow,
      ...Array.from({ length: 3 }, () => ({ pendingMs: 0, doneMs: 44_000, early: true })),
    ];
    expect(estimateFromSamples(wide).lowMs).toBe(0);
  });

  it('early samples that all bracket one time give its lower end; spread ones their proven bounds', () => {
    // The fixed schedule's checks 10 s apart: each proves (50, 60.5] or (59.x, 70], all bracketing 60 s.
    const bracketing = Array.from({ length: CONCENTRATED_SAMPLES }, (_, i) =>
      i % 2 === 0
        ? { pendingMs: 49_000 + i * 100, doneMs: 60_200 + i * 50, early: true }
        : { pendingMs: 59_000 + i * 40, doneMs: 69_000, early: true },
    );
    expect(earlyLowMs(bracketing)).toBe(59_000 + 19 * 40);
    expect(earlyLowMs(bracketing.slice(1))).toBe(49_200);
    // Spread over 35–70 s, checked at 30, 40, 50… s: their proven bounds, the lowest 5 %.
    const spread = Array.from({ length: 40 }, (_, i) => {
      const pendingMs = 30_000 + 10_000 * Math.floor(i / 10);
      return { pendingMs, doneMs: pendingMs + 10_000, early: true };
    });
    expect(earlyLowMs(spread)).toBe(30_000);
  });

  it('without MIN_EARLY_SAMPLES early samples there is no low bound', () => {
    const few = narrow
      .filter((s) => !s.early)
      .concat(narrow.filter((s) => s.early).slice(0, MIN_EARLY_SAMPLES - 1));
    expect(estimateFromSamples(few).lowMs).toBeUndefined();
  });

  it('the median and the high bound come from the newest `recent` samples only', () => {
    const older = Array.from({ length: 10 }, () => ({ pendingMs: 0, doneMs: 90_000 }));
    expect(estimateFromSamples([...narrow, ...older], narrow.length)).toMatchObject({
      p50Ms: 61_200,
      samples: narrow.length,
      highMs: 60_100,
    });
  });
});
