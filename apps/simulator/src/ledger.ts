/**
 * The account balance (`GET /v2/billing`): a starting amount minus the charge of every generation that
 * has completed. Generations finish by the clock, without timers, so charges wait in a min-heap by
 * completion time and are settled whenever the balance is read (creates read it too).
 */

type PendingCharge = { at: number; usd: number };

export class Ledger {
  #balance: number;
  readonly #heap: PendingCharge[] = [];
  readonly #clock: () => number;

  constructor(balanceUsd: number, clock: () => number = Date.now) {
    this.#balance = balanceUsd;
    this.#clock = clock;
  }

  /** A generation that will cost `usd` once it completes at `at` (failed generations are never added). */
  charge(at: number, usd: number): void {
    if (usd <= 0) return;
    const heap = this.#heap;
    heap.push({ at, usd });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.at <= heap[i]!.at) break;
      [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
      i = parent;
    }
  }

  /** The balance in USD now, after every charge due by now. */
  balance(now = this.#clock()): number {
    while (this.#heap.length > 0 && this.#heap[0]!.at <= now) this.#balance -= this.#pop().usd;
    return Math.round(this.#balance * 1e6) / 1e6;
  }

  /** Sets the balance (a top-up, or a test draining the account); charges still pending stay pending. */
  set(balanceUsd: number): void {
    this.balance();
    this.#balance = balanceUsd;
  }

  /** Forgets pending charges and starts again from `balanceUsd`. */
  reset(balanceUsd: number): void {
    this.#heap.length = 0;
    this.#balance = balanceUsd;
  }

  #pop(): PendingCharge {
    const heap = this.#heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let min = i;
        if (l < heap.length && heap[l]!.at < heap[min]!.at) min = l;
        if (r < heap.length && heap[r]!.at < heap[min]!.at) min = r;
        if (min === i) break;
        [heap[min], heap[i]] = [heap[i]!, heap[min]!];
        i = min;
      }
    }
    return top;
  }
}
