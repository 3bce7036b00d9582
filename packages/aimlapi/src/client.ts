import { SpanKind, httpClientAttributes, tracingEnabled, withSpan } from '@vidqueue/telemetry';
import { normalizeBaseUrl } from './base-url.js';
import { errorFromFailure, errorFromResponse, type Operation, type ResponseContext } from './classify.js';
import { PermanentError, TransientError, UnknownOutcomeError } from './errors.js';
import { normalizeGeneration } from './normalize.js';
import { redactSecrets } from './redact.js';
import { createRequestSignal } from './request-signal.js';
import { LOGS_PATH, logsSearchParams, parseLogsPage } from './usage-logs.js';
import type {
  AimlApiClient,
  AimlApiClientOptions,
  CreateGenerationParams,
  Generation,
  RequestOptions,
  UsageLogPage,
  UsageLogsQuery,
} from './types.js';

export const DEFAULT_BASE_URL = 'https://api.aimlapi.com';
export const DEFAULT_TIMEOUT_MS = 30_000;
const GENERATIONS_PATH = '/v2/video/generations';
/** Query parameters recorded in a span's `url.full` (none is a secret); any other value is `REDACTED`. */
const TRACED_QUERY = ['generation_id', 'period', 'start', 'end', 'model', 'status', 'limit', 'offset'];
const TEMPLATES: Record<Operation, string> = {
  create: GENERATIONS_PATH,
  get: GENERATIONS_PATH,
  logs: LOGS_PATH,
};

const ignoreStatus = (): void => {};

/** `error.type` of a failed call: the HTTP status when there was an answer, else the error's kind. */
function callErrorType(err: unknown): string | undefined {
  const e = err as { status?: unknown; kind?: unknown };
  if (typeof e.status === 'number') return String(e.status);
  return typeof e.kind === 'string' ? e.kind : undefined;
}
/** What the provider keeps as `X-Client-Request-Id`: anything else is silently dropped (account-endpoints reference). */
export const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
// Printable ASCII without spaces: what a header value can carry and what a key looks like.
const HEADER_TOKEN = /^[\x21-\x7e]+$/;

function baseUrlOf(raw: string): string {
  try {
    return normalizeBaseUrl(raw);
  } catch (err) {
    throw new TypeError(`AI/ML API client: baseUrl ${(err as Error).message}`);
  }
}

/**
 * The AI/ML API video client. Every failure is an AimlApiError whose `kind` says what to do
 * (see ErrorKind). The key lives only in this closure and in the Authorization header.
 */
export function createAimlApiClient(options: AimlApiClientOptions): AimlApiClient {
  const { apiKey } = options;
  if (typeof apiKey !== 'string' || !HEADER_TOKEN.test(apiKey)) {
    // Never echo the value: it is a secret.
    throw new TypeError(
      'AI/ML API client: apiKey must be a non-empty string without spaces or control characters',
    );
  }
  if (options.userAgent !== undefined && !/^[\x20-\x7e]+$/.test(options.userAgent)) {
    throw new TypeError('AI/ML API client: userAgent must be printable ASCII');
  }
  const base = baseUrlOf(options.baseUrl ?? DEFAULT_BASE_URL);
  const endpoint = `${base}${GENERATIONS_PATH}`;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new TypeError('AI/ML API client: timeoutMs must be a positive number');
  }
  const doFetch: typeof fetch = options.fetch ?? ((input, init) => fetch(input, init));
  const redact = (text: string): string => redactSecrets(text, [apiKey]);

  type Answer = { response: Response; raw: string };

  /**
   * One HTTP call in a CLIENT span `<METHOD> <path template>` (HTTP client semantic conventions:
   * method, server address and port, `url.full` with only the query values above, the answer's status;
   * never a header or a body, so never the key or the prompt).
   */
  function send(
    op: Operation,
    url: string,
    init: { method: string; body?: string },
    requestOptions: RequestOptions = {},
    context: ResponseContext = {},
  ): Promise<Answer> {
    // Off: not even the attributes are built.
    if (!tracingEnabled()) return sendUntraced(op, url, init, requestOptions, context, ignoreStatus);
    const template = TEMPLATES[op];
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

  /** One HTTP call: headers, timeout, the caller's signal; a non-2xx answer or no answer throws classified. */
  async function sendUntraced(
    op: Operation,
    url: string,
    init: { method: string; body?: string },
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
    const headers: Record<string, string> = {
      Authorization: `Bearer ${apiKey}`,
      Accept: 'application/json',
    };
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

    let response: Response;
    let raw: string;
    try {
      try {
        response = await doFetch(url, { ...init, headers, signal: requestSignal.signal });
      } catch (error) {
        throw failure(error);
      }
      onStatus(response.status);
      try {
        raw = await response.text();
      } catch (error) {
        // The status line arrived but the body did not. For an error status the status is enough.
        if (!response.ok) throw errorFromResponse(op, response.status, response.headers, '', redact, context);
        throw failure(error);
      }
    } finally {
      requestSignal.dispose();
    }
    if (!response.ok) throw errorFromResponse(op, response.status, response.headers, raw, redact, context);
    return { response, raw };
  }

  function json(raw: string): unknown {
    try {
      return JSON.parse(raw);
    } catch {
      return undefined;
    }
  }

  /** A create or a poll: the answer must be a generation object. */
  async function generationCall(
    op: 'create' | 'get',
    url: string,
    init: { method: string; body?: string },
    requestOptions: RequestOptions | undefined,
    context: ResponseContext = {},
  ): Promise<Generation> {
    const { response, raw } = await send(op, url, init, requestOptions, context);
    const generation = normalizeGeneration(json(raw), response.headers);
    if (generation === undefined) {
      const message = `AI/ML API ${op} answered HTTP ${response.status} without a generation id and status`;
      throw op === 'create'
        ? new UnknownOutcomeError(`${message}; the generation may have been created`, {
            status: response.status,
          })
        : new TransientError(message, { status: response.status });
    }
    if (generation.error !== undefined) generation.error = redact(generation.error);
    return generation;
  }

  return {
    create(params: CreateGenerationParams, requestOptions?: RequestOptions): Promise<Generation> {
      let body: string;
      try {
        body = JSON.stringify(params);
      } catch {
        return Promise.reject(
          new PermanentError('AI/ML API create: parameters are not serialisable to JSON'),
        );
      }
      const model = typeof params.model === 'string' ? params.model : undefined;
      return generationCall(
        'create',
        endpoint,
        { method: 'POST', body },
        requestOptions,
        model === undefined ? {} : { model },
      );
    },
    get(generationId: string, requestOptions?: RequestOptions): Promise<Generation> {
      if (typeof generationId !== 'string' || generationId === '') {
        return Promise.reject(new PermanentError('AI/ML API get: generationId must be a non-empty string'));
      }
      const url = `${endpoint}?generation_id=${encodeURIComponent(generationId)}`;
      return generationCall('get', url, { method: 'GET' }, requestOptions);
    },
    async logs(
      query: UsageLogsQuery,
      requestOptions?: Pick<RequestOptions, 'signal'>,
    ): Promise<UsageLogPage> {
      const url = `${base}${LOGS_PATH}?${logsSearchParams(query).toString()}`;
      const { response, raw } = await send('logs', url, { method: 'GET' }, requestOptions);
      const page = parseLogsPage(json(raw), query);
      if (page === undefined) {
        throw new TransientError(`AI/ML API logs answered HTTP ${response.status} without a page of rows`, {
          status: response.status,
        });
      }
      return page;
    },
  };
}
