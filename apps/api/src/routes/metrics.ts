import type { FastifyPluginCallback } from 'fastify';
import { Counter, Gauge, Registry, collectDefaultMetrics, type Metric } from 'prom-client';
import {
  METRIC_HISTOGRAMS,
  readMetrics,
  type MetricHistogramName,
  type MetricsSnapshot,
} from '@vidqueue/core/runtime';

/** BullMQ states reported by `vidq_jobs{state}`. */
export const JOB_STATES = [
  'waiting',
  'prioritized',
  'active',
  'delayed',
  'completed',
  'failed',
  'waiting-children',
] as const;

/**
 * A histogram whose buckets were counted elsewhere (by workers, into Redis): prom-client's own
 * Histogram only observes values in this process, so this hands the registry the finished series.
 */
function redisHistogram(
  name: string,
  help: string,
  snapshot: MetricsSnapshot['histograms'][MetricHistogramName],
) {
  return {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    get: () => ({
      name,
      help,
      type: 'histogram',
      aggregator: 'sum',
      values: [
        ...snapshot.buckets.map((b) => ({
          metricName: `${name}_bucket`,
          labels: { le: Number.isFinite(b.le) ? b.le : '+Inf' },
          value: b.count,
        })),
        { metricName: `${name}_sum`, labels: {}, value: snapshot.sum },
        { metricName: `${name}_count`, labels: {}, value: snapshot.count },
      ],
    }),
  } as unknown as Metric;
}

/**
 * GET /metrics in Prometheus text. Job counts come from BullMQ; everything workers do (provider
 * calls, lateness, lag, times, cost) from the Redis hashes they record into (@vidqueue/core
 * metrics.ts); process figures (memory, CPU, event loop) are this API process's own.
 * Bearer-protected like every route when API_TOKENS is set. Not in the OpenAPI document.
 */
export const metricsRoutes: FastifyPluginCallback = (app, _options, done) => {
  const processRegistry = new Registry();
  collectDefaultMetrics({ register: processRegistry, prefix: 'vidq_api_' });

  app.get('/metrics', { schema: { hide: true }, logLevel: 'warn' }, async (_request, reply) => {
    const [perShard, snapshot] = await app.withRedis(() =>
      Promise.all([
        Promise.all(app.queue.shards.map((q) => q.getJobCounts(...JOB_STATES))),
        readMetrics(app.redis, app.producer.ctx.config.QUEUE_PREFIX),
      ]),
    );
    const registry = new Registry();
    const registers = [registry];

    const jobs = new Gauge({
      name: 'vidq_jobs',
      help: 'Jobs in the generations queue by BullMQ state',
      labelNames: ['state'],
      registers,
    });
    for (const state of JOB_STATES) {
      jobs.set(
        { state },
        perShard.reduce((n, counts) => n + (counts[state] ?? 0), 0),
      );
    }
    if (perShard.length > 1) {
      const shardJobs = new Gauge({
        name: 'vidq_shard_jobs',
        help: 'Jobs in each shard of the generations queue (QUEUE_SHARDS) by BullMQ state',
        labelNames: ['shard', 'state'],
        registers,
      });
      perShard.forEach((counts, shard) => {
        for (const state of JOB_STATES) shardJobs.set({ shard: String(shard), state }, counts[state] ?? 0);
      });
    }

    const events = snapshot.events;
    const submitted = events.submitted ?? 0;
    const settled = events.settled ?? 0;
    new Gauge({
      name: 'vidq_generations_in_flight',
      help: 'Generations the provider accepted that have not completed or failed yet',
      registers,
    }).set(Math.max(0, submitted - settled));
    new Counter({
      name: 'vidq_generations_submitted_total',
      help: 'Create calls the provider accepted',
      registers,
    }).inc(submitted);
    new Counter({
      name: 'vidq_generations_completed_total',
      help: 'Generations whose video URL was written into the result',
      registers,
    }).inc(events.completed ?? 0);
    const failed = new Counter({
      name: 'vidq_jobs_failed_total',
      help: 'Jobs that failed for good, by failure code',
      labelNames: ['code'],
      registers,
    });
    for (const [field, value] of Object.entries(events)) {
      if (field.startsWith('failed:')) failed.inc({ code: field.slice('failed:'.length) }, value);
    }
    const calls = new Counter({
      name: 'vidq_provider_calls_total',
      help: 'Provider calls by kind (create, status) and HTTP status code (none: no answer)',
      labelNames: ['kind', 'status'],
      registers,
    });
    for (const c of snapshot.calls) calls.inc({ kind: c.kind, status: c.status }, c.count);
    // Summed as floats in Redis: rounded to a millionth of a dollar, so 1421.69 is not 1421.6900000000057.
    new Counter({
      name: 'vidq_cost_usd_total',
      help: 'Cost the provider reported for completed generations, USD',
      registers,
    }).inc(Math.round((events.cost_usd ?? 0) * 1e6) / 1e6);
    new Counter({
      name: 'vidq_credits_used_total',
      help: 'Credits the provider reported for completed generations',
      registers,
    }).inc(events.credits ?? 0);
    for (const [name, def] of Object.entries(METRIC_HISTOGRAMS) as [
      MetricHistogramName,
      { help: string },
    ][]) {
      registry.registerMetric(redisHistogram(`vidq_${name}`, def.help, snapshot.histograms[name]));
    }

    const text = `${await registry.metrics()}\n${await processRegistry.metrics()}`;
    return reply.type(registry.contentType).send(text);
  });
  done();
};
