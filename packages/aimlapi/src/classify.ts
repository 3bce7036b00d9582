import type { HeaderReader } from './types.js';
import {
  AccountError,
  ModelNotAllowedError,
  PermanentError,
  TransientError,
  UnknownOutcomeError,
  type AimlApiError,
} from './errors.js';
import { parseErrorBody } from './error-body.js';
import { clip } from './redact.js';
import { parseRetryAfter } from './retry-after.js';

/** Which call failed: only a create can leave an unknown outcome; reads are always safe to repeat. */
export type Operation = 'create' | 'get' | 'logs' | 'catalogue' | 'balance';

/** Network failures that happen before a single byte of the request leaves: nothing was created. */
const NOT_SENT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'EAI_FAIL',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function isNotSent(code: string): boolean {
  // TLS handshake failures (certificates) also end the connection before the request is written.
  return (
    NOT_SENT_CODES.has(code) || /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED)/.test(code)
  );
}

/** Error codes and the innermost message along `cause` chains and AggregateError lists (fetch wraps twice). */
function inspect(error: unknown): { codes: string[]; detail?: string } {
  const codes: string[] = [];
  let detail: string | undefined;
  const queue: Array<{ e: unknown; depth: number }> = [{ e: error, depth: 0 }];
  while (queue.length > 0) {
    const { e, depth } = queue.shift()!;
    if (typeof e !== 'object' || e === null || depth > 5) continue;
    const { code, message, cause, errors } = e as {
      code?: unknown;
      message?: unknown;
      cause?: unknown;
      errors?: unknown;
    };
    if (typeof code === 'string' && !codes.includes(code)) codes.push(code);
    if (typeof message === 'string' && message !== '' && message !== 'fetch failed') detail ??= message;
    if (cause !== undefined) queue.push({ e: cause, depth: depth + 1 });
    if (Array.isArray(errors)) for (const inner of errors) queue.push({ e: inner, depth: depth + 1 });
  }
  return detail === undefined ? { codes } : { codes, detail };
}

export type FailureContext = {
  op: Operation;
  timeoutMs: number;
  /** Our own timeout fired. */
  timedOut: boolean;
  /** The caller's signal fired. */
  aborted: boolean;
  redact: (text: string) => string;
};

/** A request that got no HTTP answer: fetch rejected, or the answer's body could not be read. */
export function errorFromFailure(error: unknown, ctx: FailureContext): AimlApiError {
  const { op, redact } = ctx;
  const maybeCreated = 'the generation may have been created';
  if (ctx.aborted) {
    const message = `AI/ML API ${op} aborted by the caller`;
    return op === 'create'
      ? new UnknownOutcomeError(`${message}; ${maybeCreated}`, { aborted: true, cause: error })
      : new TransientError(message, { aborted: true, cause: error });
  }
  if (ctx.timedOut) {
    const message = `AI/ML API ${op}: no answer within ${ctx.timeoutMs} ms`;
    return op === 'create'
      ? new UnknownOutcomeError(`${message}; ${maybeCreated}`, { timedOut: true, cause: error })
      : new TransientError(message, { timedOut: true, cause: error });
  }
  const { codes, detail } = inspect(error);
  const codeText = codes.filter((code) => !detail?.includes(code)).join('/');
  const what = clip(redact([codeText, detail].filter(Boolean).join(' ') || 'unknown network error'));
  if (codes.some(isNotSent)) {
    return new TransientError(`AI/ML API ${op}: could not connect (${what}); nothing was sent`, {
      cause: error,
    });
  }
  return op === 'create'
    ? new UnknownOutcomeError(`AI/ML API create: connection lost (${what}); ${maybeCreated}`, {
        cause: error,
      })
    : new TransientError(`AI/ML API ${op}: connection lost (${what})`, { cause: error });
}

/**
 * Statuses a proxy or gateway in front of the provider answers **after** it has passed a create on:
 * the provider may have accepted (and will bill) the generation although we got an error. A create
 * answered with one of these is an unknown outcome, like a timeout, never "nothing was created".
 * - 502 Bad Gateway, 504 Gateway Timeout: the provider's own reference lists 504 as "Generation
 *   timeout" (it happens while the model runs), and a 502 from its edge can hide an accepted create;
 *   the independent stand-in written from its docs answers both after creating (issue "Fit the real
 *   AI/ML API").
 * - 524 (Cloudflare "A timeout occurred"): the origin accepted the connection and the request but did
 *   not answer within 100 s (Cloudflare's documentation of 524).
 * - 408 Request Timeout from an edge proxy in front of the API (seen as an HTML page): the request may
 *   have been forwarded before the proxy gave up.
 * - 520 (Cloudflare "unknown error": the origin answered something empty or unreadable, so it got the
 *   request) and 598/599 (network read timeout behind some proxies): same reasoning.
 */
const CREATE_UNKNOWN_STATUSES: ReadonlySet<number> = new Set([408, 502, 504, 520, 524, 598, 599]);

/**
 * A 403 on a create that names the requested model and says that model is not available for the
 * account (a plan or tier restriction), rather than "this account cannot spend" (no credits, bad key).
 * The rule, not the simulator's sentence (the real provider's wording is unknown): the message names
 * the model id we sent (or its last path segment) **and** says it is not available / allowed /
 * accessible / permitted / enabled / included / supported (or "unavailable", "no access") **and** says
 * nothing about money (credits, balance, top up, billing, payment, quota, funds). "plan" alone proves
 * nothing: the out-of-credits message says "upgrade your plan" too. Anything ambiguous is the account
 * pause, which keeps every job.
 */
const NOT_ALLOWED =
  /\b(?:(?:is\s+|are\s+)?not\s+(?:available|allowed|accessible|permitted|enabled|included|supported)|unavailable|no\s+access|(?:do|does|did)\s*(?:not|n't)\s+have\s+access)\b/i;
const MONEY =
  /\b(?:credits?|balance|top[\s-]?up|billing|payments?|quota|funds?|insufficient|spend(?:ing)?)\b/i;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether `message` names `model` (the full id, or its last path segment of 4+ characters) as a word. */
function namesModel(message: string, model: string): boolean {
  const names = [model];
  const tail = model.slice(model.lastIndexOf('/') + 1);
  if (tail !== model && tail.length >= 4) names.push(tail);
  return names.some((name) =>
    // Not part of a longer id: no id character around it (a sentence's full stop is fine).
    new RegExp(
      `(?:^|[^A-Za-z0-9._/-])${escapeRegExp(name)}(?=$|[^A-Za-z0-9._/-]|\\.(?:$|[^A-Za-z0-9]))`,
      'i',
    ).test(message),
  );
}

/** True when a create's 403 message means "this model is not in this account's plan" (see above). */
export function isModelNotAllowed(message: string | undefined, model: string | undefined): boolean {
  if (message === undefined || model === undefined || model === '') return false;
  return namesModel(message, model) && NOT_ALLOWED.test(message) && !MONEY.test(message);
}

/** What the call was about, for classifying its answer. */
export type ResponseContext = {
  /** The model a create asked for (to tell a per-model 403 from an account-wide one). */
  model?: string;
};

/**
 * A non-2xx answer, classified by status and by what the call was:
 * - create: 401, 402 → account; 403 → `model_not_allowed` when the message names the model (see
 *   `isModelNotAllowed`), else account; 408/502/504/520/524/598/599 → unknown outcome (see
 *   CREATE_UNKNOWN_STATUSES); 409, 425, 429, 500, 503 and other 5xx → transient (the provider, or an
 *   edge that could not reach it, refused before creating: the reference's "server, partner or
 *   maintenance error" and "rate or concurrency limit"); other 4xx → permanent.
 * - get, logs, catalogue and balance (reads, safe to repeat): 401/402/403 → account; 408, 409, 425, 429 and every 5xx →
 *   transient; other 4xx (400, 404) → permanent. The caller decides what a 404 means.
 */
export function errorFromResponse(
  op: Operation,
  status: number,
  headers: HeaderReader,
  rawBody: string,
  redact: (text: string) => string,
  context: ResponseContext = {},
): AimlApiError {
  const parsed = parseErrorBody(rawBody, headers.get('content-type'));
  const providerMessage = parsed.message !== undefined ? clip(redact(parsed.message)) : undefined;
  const requestId = parsed.requestId ?? headers.get('x-request-id') ?? undefined;
  const retryAfterMs = parseRetryAfter(headers.get('retry-after'));
  const details = {
    status,
    ...(providerMessage !== undefined && { providerMessage }),
    ...(requestId !== undefined && { requestId: clip(redact(requestId), 200) }),
    ...(retryAfterMs !== undefined && { retryAfterMs }),
  };
  const message = `AI/ML API ${op} failed with HTTP ${status}${providerMessage ? `: ${providerMessage}` : ''}`;
  if (op === 'create' && status === 403 && isModelNotAllowed(providerMessage, context.model)) {
    return new ModelNotAllowedError(message, { ...details, model: context.model! });
  }
  // 402 Payment Required is not in the reference's table; it can only mean what its 403 "out of credits"
  // means: this account cannot spend (pause and keep every job), never a fault of one job's request.
  if (status === 401 || status === 402 || status === 403) return new AccountError(message, details);
  if (op === 'create' && CREATE_UNKNOWN_STATUSES.has(status)) {
    return new UnknownOutcomeError(`${message}; the generation may have been created`, details);
  }
  if (status === 408 || status === 409 || status === 425 || status === 429 || status >= 500) {
    return new TransientError(message, details);
  }
  return new PermanentError(message, details);
}
