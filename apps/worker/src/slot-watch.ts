import type { Logger } from '@vidqueue/core/runtime';

/** A status check that starts this much after its scheduled time counts as late. */
export const LATE_CHECK_MS = 1_000;
/** Share of a window's checks that must be late before the window is reported. */
export const LATE_SHARE = 0.01;
/** Share of a window during which every slot must have been busy for the slots to be the cause. */
export const FULL_SHARE = 0.8;
/** Length of one window. */
export const SLOT_WATCH_WINDOW_MS = 10_000;
/** A cause already logged is not logged again for this long (a long backlog gives one line a minute). */
export const SLOT_WATCH_REPEAT_MS = 60_000;

/** What one window saw. */
export type SlotWindow = {
  checks: number;
  lateChecks: number;
  maxLateMs: number;
  /** Share of the window during which every slot was running a job, 0..1. */
  allSlotsBusy: number;
};

export type SlotWatch = {
  /** A run took a slot. */
  started(): void;
  /** A run gave its slot back. */
  ended(): void;
  /** A status check started `lateMs` after its scheduled time. */
  checked(lateMs: number): void;
  /** Ends the current window: logs it when its checks ran late, and starts the next. */
  report(): SlotWindow;
  stop(): void;
};

export type SlotWatchOptions = {
  /** Slots of this process (WORKER_CONCURRENCY). */
  slots: number;
  logger: Logger;
  windowMs?: number;
  /** Milliseconds from an arbitrary origin (tests pass their own). */
  now?: () => number;
};

/**
 * Tells the operator why status checks run late. A check waits in `delayed` without a slot, but once
 * due it needs a free slot for its provider call: a worker following many generations checks
 * `in flight / generation time` of them a second, and each holds its slot for a call and a few Redis
 * round trips, so it needs about `checks per second × seconds per run` slots. With fewer, the checks
 * queue behind each other while the CPU is idle. This watch counts, per window, the checks that started
 * more than LATE_CHECK_MS late and the time every slot was taken: late checks with full slots are
 * logged at warn with the remedy (raise WORKER_CONCURRENCY), late checks with free slots at info (the
 * process's CPU, its Redis, the provider's answers or the status budget, STATUS_RATE_PER_MIN, whose waits
 * count as lateness: more slots do not help); a cause is told at most once a minute. Costs two counters per run and one timer.
 */
export function watchSlots(options: SlotWatchOptions): SlotWatch {
  const { slots, logger } = options;
  const windowMs = options.windowMs ?? SLOT_WATCH_WINDOW_MS;
  const now = options.now ?? (() => performance.now());
  let busy = 0;
  let windowStart = now();
  let fullSince: number | undefined;
  let fullMs = 0;
  let checks = 0;
  let lateChecks = 0;
  let maxLateMs = 0;
  const lastSaid = new Map<'slots' | 'other', number>();
  const say = (cause: 'slots' | 'other', at: number): boolean => {
    const last = lastSaid.get(cause);
    if (last !== undefined && at - last < SLOT_WATCH_REPEAT_MS) return false;
    lastSaid.set(cause, at);
    return true;
  };

  const report = (): SlotWindow => {
    const at = now();
    if (fullSince !== undefined) {
      fullMs += at - fullSince;
      fullSince = at;
    }
    const span = Math.max(1, at - windowStart);
    const seen: SlotWindow = { checks, lateChecks, maxLateMs, allSlotsBusy: Math.min(1, fullMs / span) };
    windowStart = at;
    fullMs = 0;
    checks = 0;
    lateChecks = 0;
    maxLateMs = 0;
    if (seen.lateChecks > 0 && seen.lateChecks >= LATE_SHARE * seen.checks) {
      const fields = {
        slots,
        checks: seen.checks,
        lateChecks: seen.lateChecks,
        maxLateMs: Math.round(seen.maxLateMs),
        allSlotsBusyShare: Number(seen.allSlotsBusy.toFixed(2)),
        windowMs: Math.round(span),
      };
      if (seen.allSlotsBusy >= FULL_SHARE) {
        if (say('slots', at))
          logger.warn(
            fields,
            'status checks are running late with every slot busy: raise WORKER_CONCURRENCY (or add worker processes)',
          );
      } else if (say('other', at)) {
        logger.info(
          fields,
          'status checks are running late with slots free: this process, its Redis, the provider or STATUS_RATE_PER_MIN is the limit (more slots do not help)',
        );
      }
    }
    return seen;
  };

  const timer = setInterval(report, windowMs);
  timer.unref();

  return {
    started() {
      busy += 1;
      if (busy >= slots && fullSince === undefined) fullSince = now();
    },
    ended() {
      busy -= 1;
      if (busy < slots && fullSince !== undefined) {
        fullMs += now() - fullSince;
        fullSince = undefined;
      }
    },
    checked(lateMs) {
      checks += 1;
      if (lateMs > LATE_CHECK_MS) lateChecks += 1;
      if (lateMs > maxLateMs) maxLateMs = lateMs;
    },
    report,
    stop() {
      clearInterval(timer);
    },
  };
}
