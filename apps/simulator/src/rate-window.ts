/**
 * A sliding-window limit per caller: at most `limit` requests in any `windowMs`. Used for the
 * documented "429 above 200 requests per 60 s" of `GET /v2/logs`.
 */
export class SlidingWindow {
  readonly #hits = new Map<string, number[]>();
  readonly limit: number;
  readonly windowMs: number;
  readonly #clock: () => number;

  constructor(limit: number, windowMs: number, clock: () => number = Date.now) {
    this.limit = limit;
    this.windowMs = windowMs;
    this.#clock = clock;
  }

  /** Counts one request; answers how long to wait when it is over the limit (and then counts nothing). */
  take(caller: string): { ok: true } | { ok: false; retryAfterMs: number } {
    const now = this.#clock();
    const hits = (this.#hits.get(caller) ?? []).filter((t) => t > now - this.windowMs);
    if (hits.length >= this.limit) {
      this.#hits.set(caller, hits);
      return { ok: false, retryAfterMs: hits[0]! + this.windowMs - now };
    }
    hits.push(now);
    this.#hits.set(caller, hits);
    return { ok: true };
  }

  clear(): void {
    this.#hits.clear();
  }
}
