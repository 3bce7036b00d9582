import { BALANCE_PATH, parseBalance, type Balance } from './balance.js';
import {
  MODELS_PATH,
  PRICING_QUERY,
  parsePricedCatalogue,
  type PricedCatalogueAnswer,
  type PricedCatalogueRequest,
} from './priced-catalogue.js';
import type { ResponseContext } from './classify.js';
import { PermanentError, TransientError, UnknownOutcomeError } from './errors.js';
import { normalizeGeneration } from './normalize.js';
import { checkApiKey, createTransport, json, type Transport, type TransportOptions } from './transport.js';
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

export { CLIENT_REQUEST_ID, DEFAULT_BASE_URL, DEFAULT_TIMEOUT_MS } from './transport.js';
const GENERATIONS_PATH = '/v2/video/generations';

/**
 * `GET /v1/models?include=pricing`, conditional on `etag` (`If-None-Match`; a 304 answers
 * `notModified`). The catalogue needs no key: `createAimlApiClient(…).pricedCatalogue` sends the client's
 * key, `fetchPricedCatalogue({ baseUrl })` none. A read: 429/5xx/no answer `transient`, 401/403 `account`,
 * other 4xx `permanent`; a 200 that is not a list is `transient`.
 */
async function readPricedCatalogue(
  transport: Transport,
  request: PricedCatalogueRequest = {},
): Promise<PricedCatalogueAnswer> {
  const url = `${transport.base}${MODELS_PATH}?${PRICING_QUERY}`;
  const { response, raw } = await transport.send(
    'catalogue',
    url,
    {
      method: 'GET',
      ...(request.etag !== undefined && { headers: { 'If-None-Match': request.etag } }),
      accept: [304],
    },
    request.signal === undefined ? {} : { signal: request.signal },
  );
  const etag = response.headers.get('etag') ?? undefined;
  if (response.status === 304) return { notModified: true, etag: etag ?? request.etag ?? '' };
  const entries = parsePricedCatalogue(json(raw));
  if (entries === undefined) {
    throw new TransientError(
      `AI/ML API catalogue answered HTTP ${response.status} without a list of models`,
      {
        status: response.status,
      },
    );
  }
  return { notModified: false, entries, ...(etag !== undefined && { etag }) };
}

/** The priced catalogue without a client: the key is optional (the catalogue needs none). */
export function fetchPricedCatalogue(
  options: Omit<TransportOptions, 'apiKey'> & { apiKey?: string | undefined } & PricedCatalogueRequest,
): Promise<PricedCatalogueAnswer> {
  const { etag, signal, ...transport } = options;
  return readPricedCatalogue(createTransport(transport), {
    ...(etag !== undefined && { etag }),
    ...(signal !== undefined && { signal }),
  });
}

/**
 * The AI/ML API video client. Every failure is an AimlApiError whose `kind` says what to do
 * (see ErrorKind). The key lives only in this closure and in the Authorization header.
 */
export function createAimlApiClient(options: AimlApiClientOptions): AimlApiClient {
  checkApiKey(options.apiKey);
  const transport = createTransport(options);
  const { base, redact, send } = transport;
  const endpoint = `${base}${GENERATIONS_PATH}`;

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
    pricedCatalogue(request?: PricedCatalogueRequest): Promise<PricedCatalogueAnswer> {
      return readPricedCatalogue(transport, request);
    },
    async balance(requestOptions?: Pick<RequestOptions, 'signal'>): Promise<Balance> {
      const { response, raw } = await send(
        'balance',
        `${base}${BALANCE_PATH}`,
        { method: 'GET' },
        requestOptions,
      );
      const balance = parseBalance(json(raw));
      if (balance === undefined) {
        throw new TransientError(
          `AI/ML API balance answered HTTP ${response.status} without current_balance`,
          {
            status: response.status,
          },
        );
      }
      return balance;
    },
  };
}
