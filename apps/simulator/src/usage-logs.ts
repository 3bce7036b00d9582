import type { LogsRowAt } from './config.js';
import type { Outcome } from './generations.js';
import type { Charge } from './prices.js';
import { bareAlias } from './video-models.js';

/**
 * The usage logs behind `GET /v2/logs`: one row per authenticated create request, failed ones included
 * (with zero cost). A row's status and cost are read from the clock like a generation's: a create that
 * made a generation reads `succeeded` with cost 0 until the generation completes (then its charge) or
 * fails (then `failed`, still 0). Rows belong to the key that made the request (stored as a digest).
 */

export type LogEntry = {
  /** Epoch ms of the request. */
  readonly created: number;
  /** Digest of the key that made the request (never the key). */
  readonly keyId: string;
  /** `source/alias` of the model asked for, or what the body said when it named no known model. */
  readonly model: string;
  /** The HTTP call's id. */
  readonly requestId: string;
  /** The generation id, or the failed request's own inference id. */
  readonly inferenceId: string;
  readonly clientRequestId: string | null;
  /** Set when the request created a generation. */
  readonly generation?: { readonly doneAt: number; readonly outcome: Outcome; readonly charge: Charge };
};

export type LogRow = {
  created: string;
  status: 'succeeded' | 'failed';
  origin: 'api';
  model: string;
  cost: { usd: number; credits: number };
  tokens: { input: number; output: number; total: number };
  request_id: string;
  inference_id: string;
  client_request_id: string | null;
};

export type LogQuery = {
  keyId: string;
  /** Inclusive window, epoch ms. */
  from: number;
  to: number;
  /** Exact `source/alias` ids or bare aliases; undefined: every model. */
  models?: readonly string[];
  statuses?: ReadonlySet<'succeeded' | 'failed'>;
  limit: number;
  offset: number;
};

export type LogVisibility = { rowAt: LogsRowAt; delayMs: number };

export type LogPage = {
  data: LogRow[];
  pagination: { limit: number; offset: number; total: number; has_more: boolean };
};

function statusOf(entry: LogEntry, now: number): LogRow['status'] {
  const g = entry.generation;
  if (g === undefined) return 'failed';
  return g.outcome === 'error' && now >= g.doneAt ? 'failed' : 'succeeded';
}

function rowOf(entry: LogEntry, now: number): LogRow {
  const g = entry.generation;
  const billed = g !== undefined && g.outcome === 'completed' && now >= g.doneAt;
  return {
    created: new Date(entry.created).toISOString(),
    status: statusOf(entry, now),
    origin: 'api',
    model: entry.model,
    cost: billed ? { usd: g.charge.usdSpent, credits: g.charge.creditsUsed } : { usd: 0, credits: 0 },
    tokens: { input: 0, output: 0, total: 0 },
    request_id: entry.requestId,
    inference_id: entry.inferenceId,
    client_request_id: entry.clientRequestId,
  };
}

/** When a row shows: from its request, or once its generation finished; plus the ingestion delay. */
function visibleAt(entry: LogEntry, visibility: LogVisibility): number {
  const base = visibility.rowAt === 'completed' && entry.generation ? entry.generation.doneAt : entry.created;
  return base + visibility.delayMs;
}

export class UsageLogs {
  #entries: LogEntry[] = [];
  #max: number;
  readonly #clock: () => number;

  constructor(max: number, clock: () => number = Date.now) {
    this.#max = max;
    this.#clock = clock;
  }

  add(entry: LogEntry): void {
    this.#entries.push(entry);
    // Trim in chunks: the oldest rows go, like the oldest generations.
    if (this.#entries.length > this.#max + 1024) this.#entries.splice(0, this.#entries.length - this.#max);
  }

  setMax(max: number): void {
    this.#max = max;
    if (this.#entries.length > max) this.#entries.splice(0, this.#entries.length - max);
  }

  clear(): void {
    this.#entries = [];
  }

  get size(): number {
    return this.#entries.length;
  }

  /** One page of the key's visible rows in the window, newest first. */
  query(q: LogQuery, visibility: LogVisibility): LogPage {
    const now = this.#clock();
    const models = q.models && new Set(q.models);
    const matching: LogEntry[] = [];
    // Rows are recorded in request order: walking back gives newest first.
    for (let i = this.#entries.length - 1; i >= 0; i -= 1) {
      const e = this.#entries[i]!;
      if (e.keyId !== q.keyId || e.created < q.from || e.created > q.to) continue;
      if (visibleAt(e, visibility) > now) continue;
      if (models && !models.has(e.model) && !models.has(bareAlias(e.model))) continue;
      if (q.statuses && !q.statuses.has(statusOf(e, now))) continue;
      matching.push(e);
    }
    const page = matching.slice(q.offset, q.offset + q.limit).map((e) => rowOf(e, now));
    return {
      data: page,
      pagination: {
        limit: q.limit,
        offset: q.offset,
        total: matching.length,
        has_more: q.offset + page.length < matching.length,
      },
    };
  }
}
