export type RequestSignal = {
  signal: AbortSignal;
  /** What ended the request first: our timeout or the caller's signal (undefined while neither fired). */
  readonly endedBy: 'timeout' | 'caller' | undefined;
  /** Stops the timer and unhooks from the caller's signal. Call when the request and its body are done. */
  dispose(): void;
};

/**
 * The caller's signal combined with a per-request timeout. This does what
 * `AbortSignal.any([caller, AbortSignal.timeout(ms)])` does, but unhooks from the caller's signal when the
 * request ends: on Node 20 `AbortSignal.any` keeps every combined signal reachable from a long-lived
 * input signal (nodejs/node#55351), and a worker passes one shutdown signal to millions of calls.
 */
export function createRequestSignal(caller: AbortSignal | undefined, timeoutMs: number): RequestSignal {
  const controller = new AbortController();
  let endedBy: RequestSignal['endedBy'];
  const end = (by: 'timeout' | 'caller', reason: unknown): void => {
    if (controller.signal.aborted) return;
    endedBy = by;
    controller.abort(reason);
  };
  const timer = setTimeout(
    () => end('timeout', new DOMException(`request timed out after ${timeoutMs} ms`, 'TimeoutError')),
    timeoutMs,
  );
  // The open socket keeps the process alive while a request runs; the timer alone should not.
  timer.unref();
  const onAbort = (): void => end('caller', caller?.reason);
  if (caller?.aborted) onAbort();
  else caller?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    get endedBy() {
      return endedBy;
    },
    dispose() {
      clearTimeout(timer);
      caller?.removeEventListener('abort', onAbort);
    },
  };
}
