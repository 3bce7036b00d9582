import { request } from 'undici';
import { SpanKind, httpClientAttributes, tracingEnabled, withSpan } from '@vidqueue/telemetry';
import { normalizeBaseUrl } from './base-url.js';
import { errorFromFailure, errorFromResponse, type Operation, type ResponseContext } from './classify.js';
import { PermanentError, TransientError } from './errors.js';
import { redactSecrets } from './redact.js';
import { createRequestSignal } from './request-signal.js';
import type { HeaderReader, RequestOptions } from './types.js';

export const DEFAULT_BASE_URL = 'https://api.aimlapi.com';
export const DEFAULT_TIMEOUT_MS = 30_000;
/** What the provider keeps as `X-Client-Request-Id`: anything else is silently dropped (account-endpoints reference). */
export const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
// Printable ASCII without spaces: what a header value can carry and what a key looks like.
const HEADER_TOKEN = /^[\x21-\x7e]+$/;
/** Query parameters recorded in a span's `url.full` (none is a secret); any other value is `REDACTED`. */
const TRACED_QUERY = [
  'generation_id',
  'period',
  'start',
  'end',
  'model',
  'status',
  'limit',
  'offset',
  'include',
];

const ignoreStatus = (): void => {};

/** `error.type` of a failed call: the HTTP status when there was an answer, else the error's kind. */
function callErrorType(err: unknown): string | undefined {
  const e = err as { status?: unknown; kind?: unknown };
  if (typeof e.status === 'number') return String(e.status);
  return typeof e.kind === 'string' ? e.kind : undefined;
}

export type TransportOptions = {
  /** Sent as `Authorization: Bearer …`; absent only for the routes that need no key (the catalogue). */
  apiKey?: string | undefined;
  baseUrl?: string | undefined;
  timeoutMs?: number | undefined;
  fetch?: typeof fetch | undefined;
  userAgent?: string | undefined;
};

/** An HTTP answer's status line and headers; its body is `Answer.raw`. */
export type AnswerHead = { status: number; headers: HeaderReader };

export type Answer = { response: AnswerHead; raw: string };

type Outgoing = { method: string; headers: Record<string, string>; body?: string; signal: AbortSignal };
/** What sends one request: the head once it arrives, the body read as text on demand. */
type Sender = (url: string, init: Outgoing) => Promise<AnswerHead & { text(): Promise<string> }>;

/**
 * The default sender: undici's `request` (the HTTP/1.1 client under Node's own `fetch`), without the
 * WHATWG Request, Response and stream objects `fetch` builds around it: a third of the CPU per call at
 * a worker's rate. It follows no redirect (the API answers none; a 3xx is classified like any non-2xx)
 * and sends no `Accept-Encoding`, so answers come uncompressed.
 */
const undiciSender: Sender = async (url, init) => {
  const answer = await request(url, {
    method: init.method as 'GET' | 'POST',
    headers: init.headers,
    ...(init.body !== undefined && { body: init.body }),
    signal: init.signal,
  });
  const headers = answer.headers;
  return {
    status: answer.statusCode,
    headers: {
      get(name) {
        const value = headers[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
      },
    },
    text: () => answer.body.text(),
  };
};

/** A caller's `fetch` (tests of the client) as a sender. */
function fetchSender(doFetch: typeof fetch): Sender {
  return async (url, init) => {
    const response = await doFetch(url, init);
    return { status: response.status, headers: response.headers, text: () => response.text() };
  };
}

export type SendInit = {
  method: string;
  body?: string;
  /** Extra request headers (`If-None-Match`). */
  headers?: Record<string, string>;
  /** Statuses besides 2xx that are answers, not failures (304 to a conditional read). */
  accept?: readonly number[];
};

/** One provider connection's settings, checked, and the one way every call goes out. */
export type Transport = {
  base: string;
  redact: (text: string) => string;
  send: (
    op: Operation,
    url: string,
    init: SendInit,
    requestOptions?: RequestOptions,
    context?: ResponseContext,
  ) => Promise<Answer>;
};

/** `apiKey` checked without ever echoing it: it is a secret. */
export function checkApiKey(apiKey: unknown): asserts apiKey is string {
  if (typeof apiKey !== 'string' || !HEADER_TOKEN.test(apiKey)) {
    throw new TypeError(
      'AI/ML API client: apiKey must be a non-empty string without spaces or control characters',
    );
  }
}

function baseUrlOf(raw: string): string {
  try {
    return normalizeBaseUrl(raw);
  } catch (err) {
    throw new TypeError(`AI/ML API client: baseUrl ${(err as Error).message}`);
  }
}

/** Parsed JSON, or undefined for a body that is not JSON. */
export function json(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/**
 * The settings of a client (key, base URL, timeout, user agent) checked once, and `send`: headers,
 * timeout and the caller's signal; an answer that is not 2xx (or one of `accept`) or no answer at all
 * throws an `AimlApiError` classified for the operation. The key lives only in this closure and in
 * the Authorization header; every message has it redacted.
 */
export function createTransport(options: TransportOptions): Transport {
  const { apiKey } = options;
  if (apiKey !== undefined) checkApiKey(apiKey);
  if (options.userAgent !== undefined && !/^[\x20-\x7e]+$/.test(options.userAgent)) {
    throw new TypeError('AI/ML API client: userAgent must be printable ASCII');
  }
  const base = baseUrlOf(options.baseUrl ?? DEFAULT_BASE_URL);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new TypeError('AI/ML API client: timeoutMs must be a positive number');
  }
  const transmit: Sender = options.fetch === undefined ? undiciSender : fetchSender(options.fetch);
  const redact = (text: string): string => (apiKey === undefined ? text : redactSecrets(text, [apiKey]));

  /**
   * One HTTP call in a CLIENT span `<METHOD> <path>` (HTTP client semantic conventions: method, server
   * address and port, `url.full` with only the query values above, the answer's status; never a header
   * or a body, so never the key or the prompt). Ids travel in the query, so the path is the template.
   */
  function send(
    op: Operation,
    url: string,
    init: SendInit,
    requestOptions: RequestOptions = {},
    context: ResponseContext = {},
  ): Promise<Answer> {
    // Off: not even the attributes are built.
    if (!tracingEnabled()) return sendUntraced(op, url, init, requestOptions, context, ignoreStatus);
    // The path after the base URL (which may carry a prefix of its own), without the query.
    const template = url.slice(base.length).split('?')[0] ?? '';
    return withSpan(
      `${init.method} ${template}`,
      {
        kind: SpanKind.CLIENT,
        errorType: callErrorType,
        attributes: {
          ...httpClientAttributes(init.method, url, { keepQuery: TRACED_QUERY, template }),
          'vidq.provider.operation': op,
        },
      },
      (span) =>
        sendUntraced(op, url, init, requestOptions, context, (status) =>
          span?.setAttribute('http.response.status_code', status),
        ),
    );
  }

  /** One HTTP call: headers, timeout, the caller's signal; an answer not 2xx (nor accepted) or none throws classified. */
  async function sendUntraced(
    op: Operation,
    url: string,
    init: SendInit,
    requestOptions: RequestOptions,
    context: ResponseContext,
    onStatus: (status: number) => void,
  ): Promise<Answer> {
    const { signal: callerSignal, clientRequestId } = requestOptions;
    if (clientRequestId !== undefined && !CLIENT_REQUEST_ID.test(clientRequestId)) {
      throw new PermanentError(
        `AI/ML API ${op}: clientRequestId must be 1 to 128 characters of [A-Za-z0-9._:-]; nothing was sent`,
      );
    }
    if (callerSignal?.aborted) {
      throw new TransientError(`AI/ML API ${op} aborted by the caller before sending`, { aborted: true });
    }
    const requestSignal = createRequestSignal(callerSignal, timeoutMs);
    const headers: Record<string, string> = { Accept: 'application/json', ...init.headers };
    if (apiKey !== undefined) headers.Authorization = `Bearer ${apiKey}`;
    if (init.body !== undefined) headers['Content-Type'] = 'application/json';
    if (clientRequestId !== undefined) headers['X-Client-Request-Id'] = clientRequestId;
    if (options.userAgent !== undefined) headers['User-Agent'] = options.userAgent;
    const failure = (error: unknown) =>
      errorFromFailure(error, {
        op,
        timeoutMs,
        aborted: requestSignal.endedBy === 'caller',
        timedOut: requestSignal.endedBy === 'timeout',
        redact,
      });
    const answered = (status: number) => (status >= 200 && status < 300) || init.accept?.includes(status);

    let response: Awaited<ReturnType<Sender>>;
    let raw: string;
    try {
      try {
        response = await transmit(url, {
          method: init.method,
          ...(init.body !== undefined && { body: init.body }),
          headers,
          signal: requestSignal.signal,
        });
      } catch (error) {
        throw failure(error);
      }
      onStatus(response.status);
      try {
        raw = await response.text();
      } catch (error) {
        // The status line arrived but the body did not. For an error status the status is enough.
        if (!answered(response.status)) {
          throw errorFromResponse(op, response.status, response.headers, '', redact, context);
        }
        throw failure(error);
      }
    } finally {
      requestSignal.dispose();
    }
    if (!answered(response.status)) {
      throw errorFromResponse(op, response.status, response.headers, raw, redact, context);
    }
    return { response: { status: response.status, headers: response.headers }, raw };
  }

  return { base, redact, send };
}
