/**
 * The provider's priced catalogue (`GET /v1/models?include=pricing`), cached **in Redis** and shared by
 * every process: the API (estimates, dry runs, the balance check), the SDK's Redis mode (the same
 * estimates through the producer) and the workers (the reservation before each create).
 *
 * Why Redis rather than a copy per process: one conditional read per `PRICES_REFRESH_MS` for the whole
 * deployment instead of one per process; the estimate a user was shown at upload and the amount a worker
 * reserves come from the same price list (they differ only if the provider changed it meanwhile); the
 * SDK's Redis mode prices rows without reaching the provider when any process already has; and a process
 * that starts while the provider is unreachable still has the last prices. Each process keeps the parsed
 * table for `localMs` (2 s) between two cheap looks at Redis (HMGET of three small fields).
 *
 * Keys (`vidqKeys(prefix).prices`): `catalogue`, a hash { body: JSON of the entries, etag, fetched_at
 * (when the body last came with a 200), checked_at (when the provider last confirmed it, 200 or 304) };
 * `lock`, held (SET NX PX) by the one process reading the provider. A read sends the stored ETag as
 * `If-None-Match`: a 304 only moves `checked_at`. Stale prices are served at once while one process
 * refreshes them in the background; only when there are none at all does a caller wait for the read.
 * A failed read is retried by that process after `retryMs` (30 s); the last prices stay in use.
 */
import { randomUUID } from 'node:crypto';
import type { RedisConnection } from '../runtime/connection.js';
import {
  effectiveParams,
  fetchPricedCatalogue,
  indexPricedCatalogue,
  quote,
  shippedCatalogue,
  type Catalogue,
  type EffectiveRequest,
  type PricedCatalogueAnswer,
  type PricedModel,
} from '@vidqueue/aimlapi';
import { vidqKeys } from '../contract/keys.js';

export type PriceTable = {
  entries: readonly PricedModel[];
  /** Entries by id and by alias. */
  byName: ReadonlyMap<string, PricedModel>;
  etag?: string;
  /** Epoch ms the entries last came with a 200. */
  fetchedAt: number;
  /** Epoch ms the provider last confirmed them (a 200 or a 304). */
  checkedAt: number;
};

/** One read of the provider's catalogue, conditional on the ETag held. */
export type CatalogueReader = (etag: string | undefined) => Promise<PricedCatalogueAnswer>;

export type RefreshResult = 'fetched' | 'not_modified' | 'busy' | 'failed';

export type PriceBookOptions = {
  redis: RedisConnection;
  prefix: string;
  read: CatalogueReader;
  /** Prices older than this (since the provider last confirmed them) are read again. */
  refreshMs: number;
  /** How long this process reuses what it read from Redis (default 2 s). */
  localMs?: number;
  /** After a failed read, how long this process waits before asking the provider again (default 30 s). */
  retryMs?: number;
  /** How long the refresh lock is held at most: longer than one read of the provider (default 35 s). */
  lockMs?: number;
  now?: () => number;
  /** A failed read of the provider (or Redis during one): logged by the caller. */
  onError?: (err: unknown) => void;
  /**
   * Runs each Redis call (the producer passes its guard: a Redis outage is its 503, never a wait); the
   * provider read is never run under it.
   */
  guard?: <T>(op: () => Promise<T>) => Promise<T>;
  /**
   * Look at the list every `refreshMs` even when nothing asks for a price (a long-running API or worker),
   * so a dry run after a quiet hour is not priced from an hour-old list. `close()` stops it.
   */
  keepFresh?: boolean;
};

export type PriceBook = {
  /**
   * The prices, possibly stale (a background refresh is then started), or undefined when no read has
   * ever succeeded (the caller treats every row as unpriced).
   */
  table(): Promise<PriceTable | undefined>;
  /** Reads the provider now, conditional on the stored ETag. */
  refresh(): Promise<RefreshResult>;
  /** Stops the `keepFresh` timer. */
  close(): void;
};

/**
 * What one request costs by the table's price (see `quote`), or null: unpriced (never 0 for unknown).
 * The request is priced as the job will send it: `effectiveParams` of the models `catalogue` (the
 * process's own, default the shipped one) fills in every field the request left out with the model's
 * default (`duration`, `resolution`...), so a row without a duration is priced at the model's default
 * length, and any field of the model a price depends on counts. A model the catalogue does not offer is
 * unpriced (its effective request cannot be told).
 */
export function quoteInput(
  table: PriceTable | undefined,
  input: Readonly<{ model: string } & Record<string, unknown>>,
  catalogue: Catalogue = shippedCatalogue(),
): number | null {
  if (table === undefined) return null;
  let effective: EffectiveRequest;
  try {
    effective = effectiveParams(input.model, input, catalogue);
  } catch {
    return null;
  }
  const entry = table.byName.get(effective.model) ?? table.byName.get(input.model);
  return entry === undefined ? null : quote(entry.pricing, effective.params);
}

/** Reads the catalogue from the provider at `baseUrl`, with the key when there is one (it needs none). */
export function providerPricedCatalogue(options: {
  baseUrl: string;
  apiKey?: string | undefined;
  timeoutMs: number;
  fetch?: typeof fetch;
}): CatalogueReader {
  return (etag) => fetchPricedCatalogue({ ...options, ...(etag !== undefined && { etag }) });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createPriceBook(options: PriceBookOptions): PriceBook {
  const { redis, read, refreshMs } = options;
  const keys = vidqKeys(options.prefix).prices;
  const now = options.now ?? Date.now;
  const localMs = options.localMs ?? 2_000;
  const retryMs = options.retryMs ?? 30_000;
  const lockMs = options.lockMs ?? 35_000;
  const onError = options.onError ?? (() => undefined);
  const guard = options.guard ?? (<T>(op: () => Promise<T>) => op());
  let local: (PriceTable & { readAt: number }) | undefined;
  let refreshing: Promise<RefreshResult> | undefined;
  let failedAt = Number.NEGATIVE_INFINITY;

  async function readRedis(): Promise<PriceTable | undefined> {
    const [fetchedAt, checkedAt] = await guard(() => redis.hmget(keys.catalogue, 'fetched_at', 'checked_at'));
    if (fetchedAt === null || fetchedAt === undefined) return undefined;
    if (local && String(local.fetchedAt) === fetchedAt) {
      local = { ...local, checkedAt: Number(checkedAt ?? fetchedAt), readAt: now() };
      return local;
    }
    // Changed since this process last read it: the body and its fields in one read.
    const [body, etag, fetched, checked] = await guard(() =>
      redis.hmget(keys.catalogue, 'body', 'etag', 'fetched_at', 'checked_at'),
    );
    if (!body || !fetched) return undefined;
    const entries = JSON.parse(body) as PricedModel[];
    local = {
      entries,
      byName: indexPricedCatalogue(entries),
      ...(etag ? { etag } : {}),
      fetchedAt: Number(fetched),
      checkedAt: Number(checked ?? fetched),
      readAt: now(),
    };
    return local;
  }

  async function readProvider(): Promise<RefreshResult> {
    if (now() - failedAt < retryMs) return 'failed';
    const token = randomUUID();
    if ((await guard(() => redis.set(keys.lock, token, 'PX', lockMs, 'NX'))) === null) return 'busy';
    try {
      const [etag, body] = await guard(() => redis.hmget(keys.catalogue, 'etag', 'body'));
      // The ETag only means something with the body it came with.
      const answer = await read(body && etag ? etag : undefined);
      const at = now();
      if (answer.notModified) {
        await guard(() => redis.hset(keys.catalogue, 'checked_at', String(at)));
        return 'not_modified';
      }
      const tx = redis.multi().hset(keys.catalogue, {
        body: JSON.stringify(answer.entries),
        fetched_at: String(at),
        checked_at: String(at),
      });
      if (answer.etag === undefined) tx.hdel(keys.catalogue, 'etag');
      else tx.hset(keys.catalogue, 'etag', answer.etag);
      await guard(() => tx.exec());
      return 'fetched';
    } catch (err) {
      failedAt = now();
      onError(err);
      return 'failed';
    } finally {
      if ((await redis.get(keys.lock).catch(() => null)) === token) await redis.del(keys.lock).catch(() => 0);
    }
  }

  function refresh(): Promise<RefreshResult> {
    refreshing ??= readProvider()
      .catch((err: unknown) => {
        onError(err);
        return 'failed' as const;
      })
      .finally(() => {
        refreshing = undefined;
      });
    return refreshing;
  }

  const book: PriceBook = {
    refresh,
    close() {
      if (timer) clearInterval(timer);
    },
    async table() {
      let current = local && now() - local.readAt < localMs ? local : await readRedis();
      if (current === undefined) {
        // No prices anywhere yet: read them now, or wait for the process that is reading them.
        const result = await refresh();
        current = await readRedis();
        for (const started = now(); current === undefined && result === 'busy' && now() - started < lockMs;) {
          await sleep(100);
          current = await readRedis();
          // The other process gave up (its read failed): no prices for now.
          if (current === undefined && (await guard(() => redis.exists(keys.lock))) === 0) break;
        }
        return current;
      }
      if (now() - current.checkedAt >= refreshMs) void refresh();
      return current;
    },
  };
  // Every process looks; the lock and the ETag make it one conditional read per period for all of them.
  const timer = options.keepFresh
    ? setInterval(() => void book.table().catch(onError), refreshMs).unref()
    : undefined;
  return book;
}
