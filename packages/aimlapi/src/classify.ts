import {
  AccountError,
  PermanentError,
  TransientError,
  UnknownOutcomeError,
  type AimlApiError,
} from './errors.js';
import { parseErrorBody } from './error-body.js';
import { clip } from './redact.js';
import { parseRetryAfter } from './retry-after.js';

/** Which call failed: only a create can leave an unknown outcome; reads are always safe to repeat. */
export type Operation = 'create' | 'get';

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
    : new TransientError(`AI/ML API get: connection lost (${what})`, { cause: error });
}

/** A non-2xx answer, classified by status. */
export function errorFromResponse(
  op: Operation,
  status: number,
  headers: Headers,
  rawBody: string,
  redact: (text: string) => string,
): AimlApiError {
  const parsed = parseErrorBody(rawBody);
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
  if (status === 401 || status === 403) return new AccountError(message, details);
  if (status === 408 || status === 409 || status === 425 || status === 429 || status >= 500) {
    return new TransientError(message, details);
  }
  return new PermanentError(message, details);
}
