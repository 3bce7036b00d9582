import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_MS, firstCheckDelay, jitter, nextCheckDelay, retryDelay } from '../src/schedule.js';

const config = {
  STATUS_FIRST_CHECK_MS: 30_000,
  STATUS_INTERVAL_MS: 10_000,
  RETRY_BASE_MS: 2_000,
  RETRY_MAX_MS: 60_000,
};
const low = () => 0;
const mid = () => 0.5;
const high = () => 0.999_999;

describe('jitter', () => {
  it('stays within ±10% and is centred on the input', () => {
    expect(jitter(1000, 0.1, low)).toBe(900);
    expect(jitter(1000, 0.1, mid)).toBe(1000);
    expect(jitter(1000, 0.1, high)).toBe(1100);
    for (let i = 0; i < 200; i++) {
      const ms = jitter(10_000);
      expect(ms).toBeGreaterThanOrEqual(9_000);
      expect(ms).toBeLessThanOrEqual(11_000);
    }
  });
});

describe('status checks', () => {
  it('first check after STATUS_FIRST_CHECK_MS, or the expected duration when longer', () => {
    expect(firstCheckDelay(config, undefined, mid)).toBe(30_000);
    expect(firstCheckDelay(config, 5_000, mid)).toBe(30_000);
    expect(firstCheckDelay(config, 54_000, mid)).toBe(54_000);
    expect(firstCheckDelay(config, 54_000, low)).toBe(48_600);
  });

  it('later checks every STATUS_INTERVAL_MS ±10%', () => {
    expect(nextCheckDelay(config, low)).toBe(9_000);
    expect(nextCheckDelay(config, high)).toBe(11_000);
  });
});

describe('retryDelay', () => {
  it('caps the exponential window at RETRY_MAX_MS (full jitter: the window is the maximum)', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => retryDelay(config, n, undefined, high))).toEqual([
      2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000,
    ]);
    expect(retryDelay(config, 1_000, undefined, high)).toBe(60_000);
  });

  it('spreads over the whole window', () => {
    expect(retryDelay(config, 3, undefined, low)).toBe(0);
    expect(retryDelay(config, 3, undefined, mid)).toBe(4_000);
  });

  it('never retries sooner than Retry-After, within reason', () => {
    expect(retryDelay(config, 1, 45_000, low)).toBe(45_000);
    expect(retryDelay(config, 6, 5_000, high)).toBe(60_000);
    expect(retryDelay(config, 1, 7 * 24 * 3600_000, low)).toBe(MAX_RETRY_AFTER_MS);
  });
});
