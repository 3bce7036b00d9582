/**
 * What finished generations prove about how long a timing key takes, and the spread learned from it.
 *
 * A status check only tells whether the generation was done when it ran, so a finished generation
 * proves an interval: it was pending at its last check that saw it pending (`pendingMs` after the
 * create answer, 0 when its first check already saw it done) and done at the check that saw it done
 * (`doneMs`); its true time is in (pendingMs, doneMs]. The distribution is estimated from those
 * intervals as they are (Turnbull's nonparametric maximum likelihood estimate), not from the detection
 * times alone, which overstate every time by the detection lag and would make a later first check
 * creep later still. The estimate says nothing of where, below the earliest checks, the generations
 * they found done finished: a lower bound is taken from the early samples alone (`early`).
 */

/**
 * One finished generation: its time was in (pendingMs, doneMs], in ms after the create answer. `early`:
 * its first check was scheduled without the learned spread (see EARLY_FIRST_CHECK_SHARE), so these
 * samples are a share of all chosen before anything about their own time was known.
 */
export type FinishSample = { pendingMs: number; doneMs: number; early?: boolean };

/**
 * A first check scheduled at most this share of the expected time after the create answer is early:
 * the share-of-expected placement (0.76 ± 5 %) is, a placement from the spread (later) mostly is not.
 * Which jobs count depends only on when their first check was scheduled, never on their own time.
 */
export const EARLY_FIRST_CHECK_SHARE = 0.84;

/** Whether a first check scheduled `firstCheckMs` after the create answer is early (no expected time: yes). */
export function isEarlyFirstCheck(firstCheckMs: number, expectedMs: number | undefined): boolean {
  return expectedMs === undefined || firstCheckMs <= expectedMs * EARLY_FIRST_CHECK_SHARE;
}

/** A quantile of the estimated distribution: somewhere in (lowerMs, upperMs], nothing tells where. */
export type QuantileBounds = { lowerMs: number; upperMs: number };

/**
 * How a sample is written in the Redis list: `doneMs`, or `pendingMs:doneMs` when it was seen pending,
 * with an `e` in front when it is early.
 */
export function encodeSample(sample: FinishSample): string {
  const done = Math.round(sample.doneMs);
  const pending = Math.round(sample.pendingMs);
  const body = pending > 0 && pending < done ? `${pending}:${done}` : String(done);
  return sample.early ? `e${body}` : body;
}

/** A stored sample, or undefined when it is not one; a plain number (the older form) is `(0, n]`. */
export function decodeSample(raw: string): FinishSample | undefined {
  const early = raw.startsWith('e');
  const body = early ? raw.slice(1) : raw;
  const colon = body.indexOf(':');
  const pendingMs = colon < 0 ? 0 : Number(body.slice(0, colon));
  const doneMs = Number(colon < 0 ? body : body.slice(colon + 1));
  if (!Number.isFinite(doneMs) || doneMs <= 0 || !Number.isFinite(pendingMs)) return undefined;
  return { pendingMs: pendingMs > 0 && pendingMs < doneMs ? pendingMs : 0, doneMs, ...(early && { early }) };
}

/** EM iterations at most; 100 intervals converge to well under a sample's weight long before. */
const MAX_ITERATIONS = 300;
const TOLERANCE = 1e-6;

/**
 * The bounds of each quantile in `qs` (each in (0, 1]) of the times the samples prove. The estimate
 * puts all the probability on the innermost intervals (the stretches between a sample's `pendingMs`
 * and the nearest `doneMs` above it with no other bound between) and weighs them by EM; a quantile is
 * the innermost interval where the cumulative weight reaches it. Its upper bound is proven by a check;
 * its lower bound is only where the earliest checks looked (see the file's note).
 */
export function finishQuantiles(samples: readonly FinishSample[], qs: readonly number[]): QuantileBounds[] {
  if (samples.length === 0) return [];
  // Innermost intervals: a left bound directly followed by a right bound, right bounds first on a tie
  // (a time equal to one sample's doneMs and another's pendingMs belongs to the first only).
  const bounds = samples.flatMap((s) => [
    { at: s.pendingMs, right: false },
    { at: s.doneMs, right: true },
  ]);
  bounds.sort((a, b) => a.at - b.at || Number(b.right) - Number(a.right));
  const lower: number[] = [];
  const upper: number[] = [];
  let open: number | undefined;
  for (const b of bounds) {
    if (!b.right) open = b.at;
    else if (open !== undefined) {
      lower.push(open);
      upper.push(b.at);
      open = undefined;
    }
  }
  const m = lower.length;
  // Each sample covers a contiguous run of innermost intervals: [first, last].
  const first = samples.map((s) => lower.findIndex((l) => l >= s.pendingMs));
  const last = samples.map((s) => findLastIndex(upper, (u) => u <= s.doneMs));
  let weight: number[] = new Array<number>(m).fill(1 / m);
  const n = samples.length;
  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    const prefix = [0];
    for (const w of weight) prefix.push((prefix.at(-1) ?? 0) + w);
    const delta = new Array<number>(m + 1).fill(0);
    for (let i = 0; i < n; i++) {
      const a = first[i] ?? 0;
      const b = last[i] ?? m - 1;
      const covered = (prefix[b + 1] ?? 0) - (prefix[a] ?? 0);
      if (covered <= 0 || b < a) continue;
      delta[a] = (delta[a] ?? 0) + 1 / (n * covered);
      delta[b + 1] = (delta[b + 1] ?? 0) - 1 / (n * covered);
    }
    let running = 0;
    let change = 0;
    const next = weight.map((w, j) => {
      running += delta[j] ?? 0;
      const updated = w * running;
      change = Math.max(change, Math.abs(updated - w));
      return updated;
    });
    weight = next;
    if (change < TOLERANCE) break;
  }
  return qs.map((q) => {
    let cumulative = 0;
    for (let j = 0; j < m; j++) {
      cumulative += weight[j] ?? 0;
      if (cumulative >= q - 1e-9) return { lowerMs: lower[j] ?? 0, upperMs: upper[j] ?? 0 };
    }
    return { lowerMs: lower[m - 1] ?? 0, upperMs: upper[m - 1] ?? 0 };
  });
}

function findLastIndex(values: readonly number[], test: (v: number) => boolean): number {
  for (let i = values.length - 1; i >= 0; i--) if (test(values[i] ?? 0)) return i;
  return -1;
}
