import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '@vidqueue/core/runtime';
import { LogSink } from '@vidqueue/testkit';
import { watchSlots, type SlotWatch } from '../src/slot-watch.js';
import { startHarness, type Harness } from './harness.js';

describe('watchSlots', () => {
  let watch: SlotWatch | undefined;
  afterEach(() => watch?.stop());

  function setup(slots: number) {
    const sink = new LogSink();
    let at = 0;
    watch = watchSlots({
      slots,
      logger: createLogger({ level: 'debug', destination: sink }),
      windowMs: 3_600_000, // reported by hand below
      now: () => at,
    });
    return { sink, watch, advance: (ms: number) => (at += ms) };
  }

  it('warns to raise WORKER_CONCURRENCY when checks ran late while every slot was busy', () => {
    const { sink, watch, advance } = setup(2);
    watch.started();
    watch.started(); // both slots taken from here
    advance(9_000);
    watch.ended();
    advance(1_000);
    for (const late of [50, 1_500, 2_400, 80]) watch.checked(late);
    expect(watch.report()).toEqual({ checks: 4, lateChecks: 2, maxLateMs: 2_400, allSlotsBusy: 0.9 });
    expect(sink.lines).toHaveLength(1);
    expect(sink.lines[0]).toMatchObject({
      level: 40,
      slots: 2,
      checks: 4,
      lateChecks: 2,
      maxLateMs: 2_400,
      allSlotsBusyShare: 0.9,
    });
    expect(sink.lines[0]!.msg).toContain('raise WORKER_CONCURRENCY');
    // The next window starts empty: one slot busy, nothing checked, nothing said.
    advance(10_000);
    expect(watch.report()).toEqual({ checks: 0, lateChecks: 0, maxLateMs: 0, allSlotsBusy: 0 });
    expect(sink.lines).toHaveLength(1);
    // Late again with full slots: said again once a minute has passed since the first line, not before.
    const fullWindow = () => {
      watch.started();
      advance(10_000);
      watch.checked(1_200);
      watch.report();
      watch.ended();
    };
    fullWindow();
    expect(sink.lines).toHaveLength(1);
    for (let i = 0; i < 4; i++) fullWindow();
    expect(sink.lines).toHaveLength(2);
  });

  it('says the slots are not the limit when checks ran late with slots free', () => {
    const { sink, watch, advance } = setup(4);
    watch.started();
    advance(10_000);
    watch.checked(3_000);
    expect(watch.report().allSlotsBusy).toBe(0);
    expect(sink.lines).toHaveLength(1);
    expect(sink.lines[0]).toMatchObject({ level: 30, lateChecks: 1 });
    expect(sink.lines[0]!.msg).toContain('slots free');
  });

  it('counts a window whose slots are still all busy when it ends, and stays quiet for a few late checks', () => {
    const { sink, watch, advance } = setup(1);
    watch.started();
    advance(5_000);
    for (let i = 0; i < 200; i++) watch.checked(i === 0 ? 5_000 : 10);
    // 1 late of 200: under LATE_SHARE (1 %), not reported.
    expect(watch.report()).toMatchObject({ lateChecks: 1, allSlotsBusy: 1 });
    advance(5_000);
    expect(watch.report().allSlotsBusy).toBe(1);
    expect(sink.lines).toEqual([]);
  });
});

describe('a worker short of slots', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('logs that its status checks run late with every slot busy', async () => {
    // One slot; every status call takes 1.2 s: the checks of four generations queue behind each other.
    h = await startHarness({
      sim: { generationMs: 300, statusFaults: { slow: 1 }, slowMs: 1_200 },
      env: { WORKER_CONCURRENCY: '1' },
      slotWatchMs: 2_000,
    });
    const jobs = await Promise.all(Array.from({ length: 4 }, () => h!.add()));
    await expect
      .poll(() => h!.sink.lines.find((l) => String(l.msg).includes('raise WORKER_CONCURRENCY')), {
        timeout: 20_000,
        interval: 100,
      })
      .toMatchObject({ level: 40, slots: 1, component: 'worker' });
    const outcomes = await Promise.all(jobs.map((job) => h!.finished(job)));
    expect(outcomes.map((o) => o.state)).toEqual(Array(4).fill('completed'));
  });
});
