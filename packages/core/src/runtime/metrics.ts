import type { RedisConnection } from './connection.js';
import { vidqKeys } from '../contract/keys.js';

/**
 * Metrics shared by processes: workers record counters and histogram buckets into Redis hashes
 * (one hash per metric, HINCRBY), the API's GET /metrics reads them. Definitions live here so both
 * sides agree on names and buckets.
 */
export const METRIC_HISTOGRAMS = {
  check_lateness_seconds: {
    help: 'How late status checks started against their scheduled time (nextCheckAt)',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
  },
  detection_lag_bound_seconds: {
    help: 'Upper bound of the detection lag: from the previous check that saw the generation pending (or the create answer) to the check that saw it done',
    buckets: [0.5, 1, 2, 5, 10, 15, 20, 30, 60, 120],
  },
  generation_seconds: {
    help: 'From the create answer to the check that saw the video ready',
    buckets: [5, 10, 20, 30, 45, 60, 90, 120, 180, 300, 600, 900],
  },
  completion_seconds: {
    help: 'From enqueue to the video URL written into the result',
    buckets: [5, 10, 20, 30, 45, 60, 90, 120, 180, 300, 600, 900, 1800, 3600],
  },
} as const satisfies Record<string, { help: string; buckets: readonly number[] }>;

export type MetricHistogramName = keyof typeof METRIC_HISTOGRAMS;

/** Hash names under `vidqKeys(prefix).metric(...)`. */
export const METRIC_HASHES = {
  /** Fields `<kind>:<status>`: provider calls by kind (create, status, logs) and HTTP status (`none`: no answer). */
  calls: 'provider_calls',
  /** Fields: submitted, completed, settled, failed:<code>, cost_usd, credits, reconciled:recovered, reconciled:not_created. */
  events: 'events',
} as const;

export type MetricsRecorder = {
  providerCall(kind: 'create' | 'status' | 'logs', status: number | 'none'): Promise<void>;
  observe(name: MetricHistogramName, seconds: number): Promise<void>;
  /** Adds to counters of the `events` hash (floats allowed for cost). */
  add(fields: Record<string, number>): Promise<void>;
};

/** A recorder that may hold increments in memory: `flush` writes them now, `close` stops the timer and flushes. */
export type BufferedMetricsRecorder = MetricsRecorder & {
  flush(): Promise<void>;
  close(): Promise<void>;
};

export type MetricsRecorderOptions = {
  /**
   * 0 (default): every call writes to Redis at once. Above 0: increments are summed in memory and
   * written in one pipeline every `flushIntervalMs` (and on `flush()`/`close()`), so a busy worker
   * sends one round trip per interval instead of several per job.
   */
  flushIntervalMs?: number;
};

/**
 * Records into Redis. Errors are swallowed (passed to `onError`): a metric must never fail a job; the
 * increments of a failed flush are dropped (not retried, so never counted twice).
 * Replayed hooks (a crash mid-step) can count an event twice; the figures are operational, not billing.
 * Buffered increments not yet flushed when a process dies are lost, for the same reason.
 */
export function createMetricsRecorder(
  redis: RedisConnection,
  prefix: string,
  onError: (err: unknown) => void = () => undefined,
  options: MetricsRecorderOptions = {},
): BufferedMetricsRecorder {
  const keys = vidqKeys(prefix);
  const callsKey = keys.metric(METRIC_HASHES.calls);
  const eventsKey = keys.metric(METRIC_HASHES.events);
  const histKeys = Object.fromEntries(
    Object.keys(METRIC_HISTOGRAMS).map((name) => [name, keys.metric(`hist:${name}`)]),
  ) as Record<MetricHistogramName, string>;
  const interval = options.flushIntervalMs ?? 0;
  /** key → field → amount summed since the last flush; `float`: written with HINCRBYFLOAT. */
  let pending = new Map<string, Map<string, { by: number; float: boolean }>>();

  const incr = (key: string, field: string, by: number, float = !Number.isInteger(by)): void => {
    let fields = pending.get(key);
    if (!fields) {
      fields = new Map<string, { by: number; float: boolean }>();
      pending.set(key, fields);
    }
    const entry = fields.get(field);
    if (entry) {
      entry.by += by;
      entry.float ||= float;
    } else fields.set(field, { by, float });
  };

  const safe = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (err: unknown) => onError(err),
    );

  function flush(): Promise<void> {
    if (pending.size === 0) return Promise.resolve();
    const batch = pending;
    pending = new Map();
    // One transaction: a flush cut by a lost connection lands whole or not at all (Redis drops a MULTI
    // without its EXEC), and a reader of /metrics never sees half of one
    // (every metric key is under the prefix, one slot on a cluster).
    const pipeline = redis.multi();
    for (const [key, fields] of batch) {
      for (const [field, { by, float }] of fields) {
        if (float) pipeline.hincrbyfloat(key, field, by);
        else pipeline.hincrby(key, field, by);
      }
    }
    return safe(pipeline.exec());
  }

  /** Write-through mode flushes after every call, so callers still await the write. */
  const done = (): Promise<void> => (interval > 0 ? Promise.resolve() : flush());

  const timer = interval > 0 ? setInterval(() => void flush(), interval) : undefined;
  timer?.unref();

  return {
    providerCall(kind, status) {
      incr(callsKey, `${kind}:${status}`, 1);
      return done();
    },
    observe(name, seconds) {
      if (!Number.isFinite(seconds)) return Promise.resolve();
      const value = Math.max(0, seconds);
      const bound = METRIC_HISTOGRAMS[name].buckets.find((b) => value <= b);
      const key = histKeys[name];
      incr(key, bound === undefined ? 'le:+Inf' : `le:${bound}`, 1);
      incr(key, 'count', 1);
      incr(key, 'sum', value, true);
      return done();
    },
    add(fields) {
      for (const [field, by] of Object.entries(fields)) {
        if (Number.isFinite(by)) incr(eventsKey, field, by);
      }
      return done();
    },
    flush,
    async close() {
      if (timer) clearInterval(timer);
      await flush();
    },
  };
}

export type HistogramSnapshot = {
  /** Cumulative counts per upper bound, in bucket order, then +Inf. */
  buckets: { le: number; count: number }[];
  count: number;
  sum: number;
};

export type MetricsSnapshot = {
  calls: { kind: string; status: string; count: number }[];
  events: Record<string, number>;
  histograms: Record<MetricHistogramName, HistogramSnapshot>;
};

/** Reads what workers recorded (one HGETALL per metric). */
export async function readMetrics(redis: RedisConnection, prefix: string): Promise<MetricsSnapshot> {
  const keys = vidqKeys(prefix);
  const names = Object.keys(METRIC_HISTOGRAMS) as MetricHistogramName[];
  const pipeline = redis.pipeline();
  pipeline.hgetall(keys.metric(METRIC_HASHES.calls));
  pipeline.hgetall(keys.metric(METRIC_HASHES.events));
  for (const name of names) pipeline.hgetall(keys.metric(`hist:${name}`));
  const replies = (await pipeline.exec()) ?? [];
  const hash = (i: number): Record<string, string> => {
    const [err, value] = replies[i] ?? [null, {}];
    if (err) throw err;
    return (value ?? {}) as Record<string, string>;
  };
  const calls = Object.entries(hash(0)).map(([field, count]) => {
    const cut = field.indexOf(':');
    return { kind: field.slice(0, cut), status: field.slice(cut + 1), count: Number(count) };
  });
  const events = Object.fromEntries(Object.entries(hash(1)).map(([k, v]) => [k, Number(v)]));
  const histograms = {} as Record<MetricHistogramName, HistogramSnapshot>;
  names.forEach((name, i) => {
    const fields = hash(2 + i);
    let running = 0;
    const buckets = [...METRIC_HISTOGRAMS[name].buckets, Number.POSITIVE_INFINITY].map((le) => {
      running += Number(fields[Number.isFinite(le) ? `le:${le}` : 'le:+Inf'] ?? 0);
      return { le, count: running };
    });
    histograms[name] = { buckets, count: Number(fields.count ?? 0), sum: Number(fields.sum ?? 0) };
  });
  return { calls, events, histograms };
}
