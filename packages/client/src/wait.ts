import type { VideoView } from '@vidqueue/core/contract';
import { TimeoutError } from './errors.js';
import type { WaitOptions } from './types.js';

/**
 * Runs `body` until it settles, with `timeoutMs` (TimeoutError) and the caller's `signal` (its reason)
 * folded into one signal that `body` must honour and that is cleaned up afterwards.
 */
export async function waitLoop(
  id: string,
  options: WaitOptions,
  body: (signal: AbortSignal) => Promise<VideoView>,
): Promise<VideoView> {
  const controller = new AbortController();
  const { timeoutMs, signal } = options;
  if (signal?.aborted) throw signal.reason;
  let timer: NodeJS.Timeout | undefined;
  if (timeoutMs !== undefined) {
    timer = setTimeout(() => controller.abort(new TimeoutError(id, timeoutMs)), timeoutMs);
  }
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  // Settles at once on abort, even if `body` is between awaits when it happens.
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason as Error), {
      once: true,
    });
  });
  aborted.catch(() => undefined);
  try {
    return await Promise.race([body(controller.signal), aborted]);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    if (!controller.signal.aborted) controller.abort();
  }
}
