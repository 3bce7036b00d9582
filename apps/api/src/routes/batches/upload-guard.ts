/**
 * What one slow or numerous uploader may hold: each `POST /v1/batches` holds a connection and a spool
 * directory until its last byte arrives. So uploads in progress are capped per API process
 * (`MAX_CONCURRENT_UPLOADS`: beyond it 503 with `Retry-After`), and an upload that brings less than
 * `UPLOAD_MIN_BYTES_PER_SEC` over a window of `UPLOAD_RATE_WINDOW_MS` (the first window is its grace
 * period) is cut with 408. The server's own `REQUEST_TIMEOUT_MS` bounds the whole request on top.
 */
import type { Socket } from 'node:net';
import { HttpError } from '../../errors.js';

/** Seconds a client refused for too many uploads is told to wait (`Retry-After`). */
export const UPLOADS_RETRY_AFTER_SECONDS = 5;

/** At most so many of something at once, in this process: uploads in progress, row scans. */
export type Gate = {
  /** A release function when there is room for one more, undefined when there is none. */
  enter(): (() => void) | undefined;
  readonly active: number;
};

/** At most `max` at once (0: no cap). */
export function createGate(max: number): Gate {
  let active = 0;
  return {
    get active() {
      return active;
    },
    enter() {
      if (max > 0 && active >= max) return undefined;
      active++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        active--;
      };
    },
  };
}

export type UploadRateOptions = {
  /** 0 turns the check off. */
  minBytesPerSecond: number;
  windowMs: number;
};

/**
 * Watches the bytes read from the upload's connection (`socket.bytesRead`, so the multipart envelope
 * counts too, and nothing is read on the body's behalf) and aborts `signal` with
 * `HttpError.UploadTooSlow` when a window brought fewer than `minBytesPerSecond × windowMs / 1000`.
 * `stop()` once the upload is in (its processing is not an upload). Off without a real socket (`inject`).
 */
export function watchUploadRate(
  socket: Socket | undefined,
  options: UploadRateOptions,
): { signal: AbortSignal; stop(): void } {
  const controller = new AbortController();
  const { minBytesPerSecond, windowMs } = options;
  if (minBytesPerSecond <= 0 || typeof socket?.bytesRead !== 'number') {
    return { signal: controller.signal, stop: () => undefined };
  }
  const needed = Math.ceil((minBytesPerSecond * windowMs) / 1000);
  let last = socket.bytesRead;
  const timer = setInterval(() => {
    const now = socket.bytesRead;
    const got = now - last;
    last = now;
    if (got >= needed) return;
    clearInterval(timer);
    controller.abort(new HttpError.UploadTooSlow(got, windowMs / 1000, minBytesPerSecond));
  }, windowMs);
  timer.unref();
  return { signal: controller.signal, stop: () => clearInterval(timer) };
}

/** Resolves `work`, or rejects with the signal's reason as soon as it aborts (work left to settle alone). */
export function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
