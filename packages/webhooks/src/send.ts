import { isSafeHttpError, safeFetch, type AddressPolicy } from '@vidqueue/safe-http';
import type { WebhookHeaders } from './signer.js';

/** What one attempt came to: `ok` (2xx), `gone` (410: stop for good), `retry`, or `refused` (never retried). */
export type AttemptOutcome = {
  kind: 'ok' | 'gone' | 'retry' | 'refused';
  status: number | null;
  durationMs: number;
  /** Safe to record and log: a status or a safe-http message naming the host, never the path or query. */
  error: string | null;
};

export type SendOptions = AddressPolicy & { timeoutMs: number };

/**
 * POSTs one signed delivery through safeFetch: the same address guard as downloads (private and loopback
 * refused unless allowed), no redirect followed (a 3xx is a failed attempt, as Standard Webhooks senders
 * do), one time limit for the whole exchange. A 2xx is delivered as soon as its status line is in: the
 * answer's body means nothing to us and is not read (a receiver answering 200 with a large or slow page
 * must not be sent the event again).
 */
export async function sendAttempt(
  url: string,
  body: string,
  headers: WebhookHeaders,
  options: SendOptions,
): Promise<AttemptOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const res = await safeFetch(url, {
      method: 'POST',
      body,
      headers: {
        ...headers,
        'content-type': 'application/json',
        'user-agent': 'vidqueue-webhooks/1',
      },
      maxRedirects: 0,
      // Never read: an announced Content-Length of any size is no reason to call a 2xx a failure.
      maxBytes: Number.MAX_SAFE_INTEGER,
      timeoutMs: options.timeoutMs,
      allowPrivate: options.allowPrivate,
      allowRanges: options.allowRanges,
    });
    // The status is the answer; dropping the body closes the connection (each attempt has its own).
    res.body.destroy();
    return { kind: 'ok', status: res.status, durationMs: elapsed(), error: null };
  } catch (err) {
    const durationMs = elapsed();
    if (!isSafeHttpError(err)) {
      return {
        kind: 'retry',
        status: null,
        durationMs,
        error: err instanceof Error ? err.message : String(err),
      };
    }
    if (err.code === 'http_status' && err.status !== undefined) {
      return {
        kind: err.status === 410 ? 'gone' : 'retry',
        status: err.status,
        durationMs,
        error: `http_${err.status}`,
      };
    }
    const refused = err.code === 'blocked_address' || err.code === 'bad_protocol' || err.code === 'bad_url';
    return {
      kind: refused ? 'refused' : 'retry',
      status: null,
      durationMs,
      error: `${err.code}: ${err.message}`,
    };
  }
}
