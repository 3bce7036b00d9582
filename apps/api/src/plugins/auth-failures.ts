import type { FastifyReply, FastifyRequest } from 'fastify';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { HttpError } from '../errors.js';

/** Which credential a client got wrong: named in the log line of a block, never the credential itself. */
export type CredentialKind = 'api token' | 'dashboard' | 'web sign-in';

/**
 * Failed credential checks per client IP (`request.ip`), shared by the bearer token check (plugins/auth.ts),
 * the dashboard's basic auth (plugins/bull-board.ts) and the web page's sign-in (web/web-plugin.ts).
 * rate-limiter-flexible's brute-force pattern: `refusal()` BEFORE a credential is checked (a blocked IP is
 * refused even when its guess is right), `failed()` AFTER a check failed; a success never counts.
 */
export type AuthFailureLimiter = {
  /** Null when the request's IP may try a credential; else the 429 to answer (and its Retry-After). */
  refusal(request: FastifyRequest): Promise<AuthRefusal | null>;
  /** Counts one failed check of the request's IP; logs one warn line when this failure blocks it. */
  failed(request: FastifyRequest, kind: CredentialKind): Promise<void>;
};

/** A blocked IP's answer: 429 TOO_MANY_AUTH_FAILURES, `Retry-After: retryAfterS`. */
export type AuthRefusal = { retryAfterS: number; error: InstanceType<typeof HttpError.TooManyAuthFailures> };

export type AuthFailureOptions = {
  /** AUTH_FAILURE_LIMIT: failures per IP per window before it is refused (0: the limiter is off). */
  limit: number;
  /** AUTH_FAILURE_WINDOW_MS: the fixed window, from the IP's first failure. */
  windowMs: number;
};

/**
 * The limiter of AUTH_FAILURE_LIMIT / AUTH_FAILURE_WINDOW_MS, in this process's memory: a RateLimiterMemory
 * with `points` = the limit and `duration` = the window. An IP's first failure opens its window (a fixed
 * one, not sliding); when its failures in the window reach the limit, the IP is blocked for the rest of that
 * window: every request of it that needs a credential gets 429 until the window ends, whatever it sends.
 * A blocked request is refused before its credential is read, so it does not count again and the block does
 * not grow; `blockDuration` (the window too) only matters if concurrent failures push the count past the
 * limit. Each API process counts on its own (no Redis round trip on the authenticated path): behind a load
 * balancer over P processes an IP may fail up to P × limit times per window.
 */
export function createAuthFailureLimiter(options: AuthFailureOptions): AuthFailureLimiter {
  const { limit, windowMs } = options;
  if (limit <= 0) {
    return { refusal: () => Promise.resolve(null), failed: () => Promise.resolve() };
  }
  const windowS = windowMs / 1000;
  const limiter = new RateLimiterMemory({
    keyPrefix: 'vidq-auth-failures',
    points: limit,
    duration: windowS,
    blockDuration: windowS,
  });
  const retryAfterS = (msBeforeNext: number) => Math.max(1, Math.ceil(msBeforeNext / 1000));

  return {
    async refusal(request) {
      const res = await limiter.get(request.ip);
      if (res === null || res.consumedPoints < limit || res.msBeforeNext <= 0) return null;
      const seconds = retryAfterS(res.msBeforeNext);
      return { retryAfterS: seconds, error: new HttpError.TooManyAuthFailures(seconds) };
    },
    async failed(request, kind) {
      // consume() rejects (with a RateLimiterRes, not an Error) past the limit; the count is what matters here.
      const res = await limiter.consume(request.ip).catch((rejected: unknown) => {
        if (rejected instanceof Error) throw rejected;
        return null;
      });
      if (res?.consumedPoints !== limit) return;
      request.log.warn(
        {
          ip: request.ip,
          credential: kind,
          failures: limit,
          window_ms: windowMs,
          retry_after_s: retryAfterS(res.msBeforeNext),
        },
        'too many failed credential checks: client ip refused until its window ends',
      );
    },
  };
}

/** Throws the refusal for the root error handler to answer, with its Retry-After. */
export function refuse(reply: FastifyReply, refusal: AuthRefusal): never {
  reply.header('retry-after', String(refusal.retryAfterS));
  throw refusal.error;
}

/** Sends the refusal as the API's JSON error, for scopes that answer outside the root error handler. */
export function sendRefusal(reply: FastifyReply, refusal: AuthRefusal): FastifyReply {
  const { code, message, statusCode } = refusal.error;
  return reply
    .code(statusCode ?? 429)
    .header('retry-after', String(refusal.retryAfterS))
    .type('application/json; charset=utf-8')
    .send({ error: { code, message } });
}
