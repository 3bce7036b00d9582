import { describe, expect, it } from 'vitest';
import { ADAPTIVE_FIRST_FRACTION } from '../src/schedule.js';
import { scheduleConfig, seeded, simulate, type SimulatedJob } from './fixtures/placement-sim.js';

const config = scheduleConfig;

const checksPerVideo = (jobs: SimulatedJob[]) => jobs.reduce((sum, j) => sum + j.checks, 0) / jobs.length;
const p = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
};
const lagP95 = (jobs: SimulatedJob[]) =>
  p(
    jobs.map((j) => j.lagMs),
    0.95,
  );
const firstP50 = (jobs: SimulatedJob[]) =>
  p(
    jobs.map((j) => j.firstCheckMs),
    0.5,
  );

// Generations submitted every 0.5 s, placed from what had finished before (2,000 s of traffic).
const run = (timeOf: (i: number, random: () => number) => number, jobs = 4_000) => {
  const random = seeded(7);
  return simulate(config, {
    jobs,
    submitAt: (i) => i * 500,
    seedMs: 60_000,
    timeOf: (i) => timeOf(i, random),
    random,
  });
};

describe('the adaptive schedule over many generations (seeded simulation)', () => {
  it('a model that always takes 60 s: about one check per video, just after the finish, without creeping later', () => {
    const jobs = run(() => 60_000).slice(1_000);
    expect(checksPerVideo(jobs)).toBeLessThan(1.2);
    expect(lagP95(jobs)).toBeLessThan(8_000);
    // The first check stays just after 60 s in every stretch of the run.
    for (let from = 0; from < jobs.length; from += 1_000) {
      const first = firstP50(jobs.slice(from, from + 1_000));
      expect(first).toBeGreaterThan(60_000);
      expect(first).toBeLessThan(64_000);
    }
  });

  it('times spread from 35 to 70 s: the early first check as before, within 3 checks and a 10 s lag p95', () => {
    const jobs = run((_, random) => 35_000 + 35_000 * random()).slice(1_000);
    expect(checksPerVideo(jobs)).toBeLessThanOrEqual(3);
    expect(lagP95(jobs)).toBeLessThanOrEqual(10_000);
    expect(firstP50(jobs)).toBeLessThan(60_000 * ADAPTIVE_FIRST_FRACTION);
  });

  it('after a warm-up batch on the fixed schedule (as the bench runs it), a batch placed from what it learned', () => {
    // 50 generations at once with nothing learned (first check at STATUS_FIRST_CHECK_MS, then every
    // STATUS_INTERVAL_MS), then 1,000 more over 20 s once they have finished.
    const batch = (timeOf: (random: () => number) => number) => {
      const random = seeded(11);
      const jobs = simulate(config, {
        jobs: 1_050,
        submitAt: (i) => (i < 50 ? i : 100_000 + (i - 50) * 20),
        timeOf: () => timeOf(random),
        random,
      });
      return jobs.slice(50);
    };
    const wide = batch((random) => 35_000 + 35_000 * random());
    expect(lagP95(wide)).toBeLessThanOrEqual(10_000);
    expect(checksPerVideo(wide)).toBeLessThanOrEqual(3);
    const fixed = batch(() => 60_000);
    expect(checksPerVideo(fixed)).toBeLessThan(1.15);
    expect(lagP95(fixed)).toBeLessThan(6_000);
  });

  it('follows a model that becomes faster or slower', () => {
    const faster = run((i) => (i < 2_000 ? 60_000 : 40_000), 5_000).slice(3_000);
    expect(checksPerVideo(faster)).toBeLessThan(1.2);
    expect(lagP95(faster)).toBeLessThan(6_000);
    const slower = run((i) => (i < 2_000 ? 60_000 : 90_000), 5_000).slice(3_000);
    expect(checksPerVideo(slower)).toBeLessThan(1.2);
    expect(lagP95(slower)).toBeLessThan(8_000);
  });
});
