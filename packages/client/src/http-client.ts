import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import type { VideoView } from '@vidqueue/core/contract';
import { GenerationFailedError, UnavailableError } from './errors.js';
import { describe, toError } from './http-errors.js';
import { apiBase, openUpload } from './http-input.js';
import type {
  Balance,
  BatchEstimate,
  BatchResultRow,
  BatchRowInput,
  BatchView,
  CreatedBatch,
  EstimateOptions,
  EnqueueManyOptions,
  EnqueueOptions,
  QueuedVideo,
  ModelDescription,
  ResumeResult,
  UploadOptions,
  PurgedBatch,
  VideoInput,
  VidqueueClient,
  WaitOptions,
  WebhookDelivery,
} from './types.js';
import { uploadFormat } from './upload-format.js';
import { waitLoop } from './wait.js';

export type HttpClientOptions = {
  /** Base URL of the API, e.g. `http://127.0.0.1:3000`. */
  apiUrl: string;
  /** Sent as `Authorization: Bearer <token>` when the API has API_TOKENS. */
  token?: string;
  /** waitFor polls GET /v1/videos/:id from `initialMs`, growing by half each time up to `maxMs` (1 s → 5 s). */
  poll?: { initialMs?: number; maxMs?: number };
  /** Longest wait for one request before UnavailableError (default 30 s; results streams are exempt). */
  requestTimeoutMs?: number;
};

/** The client over the HTTP API (fetch, no extra dependency). */
export function createHttpClient(options: HttpClientOptions): VidqueueClient {
  const base = apiBase(options.apiUrl);
  const headers: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  const pollInitial = options.poll?.initialMs ?? 1_000;
  const pollMax = options.poll?.maxMs ?? 5_000;
  const closing = new AbortController();

  async function request(
    method: string,
    path: string,
    init: {
      body?: string | ReadableStream<Uint8Array>;
      headers?: Record<string, string>;
      stream?: boolean;
      /** The id a 404 is about (NotFoundError's `id`). */
      id?: string;
    } = {},
  ): Promise<Response> {
    const signals = [closing.signal];
    if (!init.stream) signals.push(AbortSignal.timeout(requestTimeoutMs));
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: { ...headers, ...init.headers },
        ...(init.body === undefined ? {} : { body: init.body }),
        ...(init.body instanceof ReadableStream ? { duplex: 'half' } : {}),
        signal: AbortSignal.any(signals),
      });
    } catch (err) {
      throw new UnavailableError(`The vidqueue API at ${base} is unreachable (${describe(err)})`, {
        cause: err,
      });
    }
    if (res.ok) return res;
    throw await toError(res, init.id ?? '');
  }

  async function json<T>(
    method: string,
    path: string,
    body?: unknown,
    extra: Record<string, string> = {},
    id?: string,
  ): Promise<T> {
    const res = await request(method, path, {
      ...(id === undefined ? {} : { id }),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      headers: body === undefined ? extra : { 'content-type': 'application/json', ...extra },
    });
    return (await res.json()) as T;
  }

  /** `POST /v1/batches` with a file or rows as the body and the options as the query. */
  /** The created batch, marked `replayed` when the API says an earlier request made it (Idempotent-Replayed). */
  async function createdBatch(res: Response): Promise<CreatedBatch> {
    const batch = (await res.json()) as CreatedBatch;
    return res.headers.get('idempotent-replayed') === 'true' ? { ...batch, replayed: true } : batch;
  }

  function postBatch(
    source: NodeJS.ReadableStream | Readable,
    format: 'csv' | 'jsonl',
    opts: EnqueueManyOptions,
    extra: Record<string, string>,
  ): Promise<Response> {
    const params = new URLSearchParams({
      ...extra,
      ...(opts.maxCostUsd === undefined ? {} : { max_cost_usd: String(opts.maxCostUsd) }),
      ...(opts.ignoreBalance ? { ignore_balance: 'true' } : {}),
    }).toString();
    return request('POST', `/v1/batches${params ? `?${params}` : ''}`, {
      body: Readable.toWeb(Readable.from(source)) as ReadableStream<Uint8Array>,
      headers: {
        'content-type': format === 'jsonl' ? 'application/x-ndjson' : 'text/csv',
        ...idem(opts.idempotencyKey),
      },
    });
  }

  const client: VidqueueClient = {
    mode: 'http',
    enqueue(input: VideoInput, opts: EnqueueOptions = {}) {
      return json<QueuedVideo>('POST', '/v1/videos', input, idem(opts.idempotencyKey));
    },
    get(id: string) {
      return json<VideoView>('GET', `/v1/videos/${encodeURIComponent(id)}`, undefined, {}, id);
    },
    waitFor(id: string, opts: WaitOptions = {}) {
      return waitLoop(id, opts, async (signal) => {
        let delay = pollInitial;
        for (;;) {
          const view = await client.get(id);
          const done = settle(view);
          if (done) return done;
          await sleep(delay, signal);
          delay = Math.min(pollMax, Math.round(delay * 1.5));
        }
      });
    },
    cancel(id: string) {
      return json<VideoView>('DELETE', `/v1/videos/${encodeURIComponent(id)}`, undefined, {}, id);
    },
    async enqueueMany(rows, opts: EnqueueManyOptions = {}) {
      const res = await postBatch(Readable.from(ndjson(rows)), 'jsonl', opts, {});
      return createdBatch(res);
    },
    async uploadBatch(file, opts: UploadOptions = {}) {
      const source = await openUpload(file);
      const res = await postBatch(source, uploadFormat(file, opts.format), opts, {
        ...(opts.onInvalid ? { on_invalid: opts.onInvalid } : {}),
        ...(opts.model ? { model: opts.model } : {}),
      });
      return createdBatch(res);
    },
    async estimate(rows, opts: Omit<EstimateOptions, 'format'> = {}) {
      const res = await postBatch(Readable.from(ndjson(rows)), 'jsonl', {}, dryRun(opts));
      return (await res.json()) as BatchEstimate;
    },
    async estimateFile(file, opts: EstimateOptions = {}) {
      const source = await openUpload(file);
      const res = await postBatch(source, uploadFormat(file, opts.format), {}, dryRun(opts));
      return (await res.json()) as BatchEstimate;
    },
    getBatch(id: string) {
      return json<BatchView>('GET', `/v1/batches/${encodeURIComponent(id)}`, undefined, {}, id);
    },
    updateBatch(id: string, patch: { maxCostUsd: number | null }) {
      const body = { max_cost_usd: patch.maxCostUsd };
      return json<BatchView>('PATCH', `/v1/batches/${encodeURIComponent(id)}`, body, {}, id);
    },
    balance() {
      return json<Balance>('GET', '/v1/balance');
    },
    async *results(batchId: string) {
      const res = await request('GET', `/v1/batches/${encodeURIComponent(batchId)}/results?format=jsonl`, {
        stream: true,
        id: batchId,
      });
      if (!res.body) return;
      const lines = createInterface({
        input: Readable.fromWeb(res.body),
        crlfDelay: Infinity,
      });
      for await (const line of lines) {
        if (line.trim() !== '') yield JSON.parse(line) as BatchResultRow;
      }
    },
    async *exportResults(batchId: string, format: 'csv' | 'jsonl') {
      const res = await request(
        'GET',
        `/v1/batches/${encodeURIComponent(batchId)}/results?format=${format}`,
        { stream: true, id: batchId },
      );
      if (!res.body) return;
      for await (const chunk of res.body) yield chunk;
    },
    cancelBatch(batchId: string) {
      return json<BatchView>('DELETE', `/v1/batches/${encodeURIComponent(batchId)}`, undefined, {}, batchId);
    },
    purgeBatch(batchId: string) {
      const path = `/v1/batches/${encodeURIComponent(batchId)}?purge=true`;
      return json<PurgedBatch>('DELETE', path, undefined, {}, batchId);
    },
    retryFailed(batchId: string) {
      const path = `/v1/batches/${encodeURIComponent(batchId)}/retry`;
      return json<{ retried: number }>('POST', path, { only: 'failed' }, {}, batchId);
    },
    resumeSubmissions() {
      return json<ResumeResult>('POST', '/v1/admin/resume');
    },
    models() {
      return json<ModelDescription[]>('GET', '/v1/models');
    },
    async webhookDeliveries(about) {
      const query =
        'videoId' in about
          ? `video_id=${encodeURIComponent(about.videoId)}`
          : `batch_id=${encodeURIComponent(about.batchId)}`;
      return (await json<{ data: WebhookDelivery[] }>('GET', `/v1/webhooks/deliveries?${query}`)).data;
    },
    replayWebhookDelivery(deliveryId) {
      return json<{ id: string; job_id: string }>(
        'POST',
        `/v1/webhooks/deliveries/${encodeURIComponent(deliveryId)}/replay`,
        undefined,
        {},
        deliveryId,
      );
    },
    close() {
      closing.abort(new UnavailableError('The client was closed'));
      return Promise.resolve();
    },
  };
  return client;
}

/** The completed view, or throws for failed/cancelled, or undefined while it is still going. */
export function settle(view: VideoView): VideoView | undefined {
  if (view.status === 'completed') return view;
  if (view.status === 'failed' || view.status === 'cancelled') {
    throw new GenerationFailedError(
      view.id,
      view.error?.code ?? view.status,
      view.error?.message ?? view.status,
      view,
    );
  }
  return undefined;
}

/** The query of a dry run. */
function dryRun(opts: Omit<EstimateOptions, 'format'>): Record<string, string> {
  return {
    dry_run: 'true',
    ...(opts.onInvalid ? { on_invalid: opts.onInvalid } : {}),
    ...(opts.model ? { model: opts.model } : {}),
  };
}

function idem(key: string | undefined): Record<string, string> {
  return key === undefined ? {} : { 'idempotency-key': key };
}

async function* ndjson(rows: Iterable<BatchRowInput> | AsyncIterable<BatchRowInput>): AsyncGenerator<string> {
  for await (const row of rows) yield `${JSON.stringify(row)}\n`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
