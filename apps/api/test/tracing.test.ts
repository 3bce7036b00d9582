import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createAimlApiClient } from '@vidqueue/aimlapi';
import { createLogger, createRedis, type Config } from '@vidqueue/core/runtime';
import { createGenerationQueue } from '@vidqueue/core/store';
import { startSimulator, type RunningSimulator } from '@vidqueue/simulator';
import { LogSink, startReceiver, type Receiver } from '@vidqueue/testkit';
import { newWebhookSecret } from '@vidqueue/webhooks';
import { startTracing, type Tracing } from '@vidqueue/tracing';
import { startWorker, type RunningWorker } from '@vidqueue/worker';
import { startApi, type RunningApi } from '../src/server.js';
import { deletePrefix, testConfig } from './helpers.js';

// One prompt's trace, end to end: this API over real HTTP, BullMQ on the suite's redis-server, the real
// worker, the provider simulator. Both processes' halves are in this one (the in-memory exporter has to
// see them), but the worker learns the trace only from the job in Redis, as a separate process would.
const PROVIDER_KEY = 'sim-provider-key-otel-91c2';
const API_TOKEN = 'api-token-otel-3b7d';
const PROMPT = 'a lighthouse keeper feeding seagulls at dawn, traced';
const WEBHOOK_SECRET = newWebhookSecret();

const exporter = new InMemorySpanExporter();
let config: Config;
let tracing: Tracing | undefined;
let simulator: RunningSimulator;
let worker: RunningWorker;
let api: RunningApi;
let receiver: Receiver;
let videos: string;

beforeAll(async () => {
  // First: the queues and workers below pick their telemetry up when they are made.
  tracing = startTracing({
    serviceName: 'vidqueue-test',
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  // Long enough for at least one status check to see the generation pending.
  simulator = await startSimulator({ apiKeys: [PROVIDER_KEY], generationMs: 1_500, queuedFraction: 0 });
  receiver = await startReceiver(() => 204);
  videos = await mkdtemp(join(tmpdir(), 'vidq-tracing-'));
  config = testConfig({
    PORT: '0',
    API_TOKENS: API_TOKEN,
    AIMLAPI_KEY: PROVIDER_KEY,
    AIMLAPI_BASE_URL: simulator.url,
    STATUS_FIRST_CHECK_MS: '200',
    STATUS_INTERVAL_MS: '200',
    STATUS_SCHEDULE: 'fixed',
    // The side effects of a completed video: its archive job and its webhook job.
    STORAGE_URL: pathToFileURL(videos).href,
    WEBHOOK_URL: receiver.url,
    WEBHOOK_SECRET,
    WEBHOOK_ALLOW_PRIVATE: 'true',
  });
  const client = createAimlApiClient({ apiKey: PROVIDER_KEY, baseUrl: simulator.url, timeoutMs: 5_000 });
  const logger = createLogger({ level: 'warn', destination: new LogSink() });
  worker = await startWorker({ config, logger, client });
  api = await startApi({ config, logger });
});

afterAll(async () => {
  await api?.close();
  await worker?.close();
  await simulator?.close();
  await receiver?.close();
  await tracing?.shutdown();
  if (config) await deletePrefix(config);
  if (videos) await rm(videos, { recursive: true, force: true });
});

const auth = { authorization: `Bearer ${API_TOKEN}` };
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const named = (spans: ReadableSpan[], name: string) => spans.filter((s) => s.name === name);

/** The one span of that name, failing (with the names seen) when there is none or several. */
function only(spans: ReadableSpan[], name: string): ReadableSpan {
  const found = named(spans, name);
  expect(found, `spans named ${name} among ${spans.map((s) => s.name).join(', ')}`).toHaveLength(1);
  return found[0]!;
}

/** The trace as an indented tree (printed for the reader of the test output). */
function tree(spans: ReadableSpan[]): string {
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    for (const s of spans.filter((x) => parentOf(x) === parent).sort((a, b) => hr(a) - hr(b))) {
      lines.push(`${'  '.repeat(depth)}${s.name}  [${s.spanContext().spanId} ← ${parent ?? 'root'}]`);
      walk(s.spanContext().spanId, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines.join('\n');
}
const hr = (s: ReadableSpan) => s.startTime[0] * 1e9 + s.startTime[1];

describe('tracing', () => {
  it('makes one prompt one trace: API request, enqueue, submit, checks, settle, provider calls, archive, webhook', async () => {
    const res = await fetch(`${api.url}/v1/videos`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: PROMPT, duration: 5 }),
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };

    await expect
      .poll(
        async () => {
          const view = await fetch(`${api.url}/v1/videos/${id}`, { headers: auth });
          return ((await view.json()) as { status: string }).status;
        },
        { timeout: 20_000, interval: 100 },
      )
      .toBe('completed');

    const request = only(exporter.getFinishedSpans(), 'POST /v1/videos');
    const traceId = request.spanContext().traceId;
    const inTrace = () => exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    // Each run's BullMQ span ends after its step's span; the last one after the job is moved to
    // completed, so possibly after the view said so: wait for one run span per step span.
    await expect
      .poll(
        () => {
          const spans = inTrace();
          const steps = named(spans, 'vidq.submit').length + named(spans, 'vidq.check').length;
          return steps > 0 && named(spans, 'process generations').length === steps;
        },
        { timeout: 5_000 },
      )
      .toBe(true);
    const spans = inTrace();

    // The API half: request → enqueue → BullMQ's add (which stores the context in the job).
    expect(parentOf(request)).toBeUndefined();
    expect(request.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/v1/videos',
      'http.response.status_code': 202,
    });
    const enqueue = only(spans, 'vidq.enqueue');
    expect(parentOf(enqueue)).toBe(request.spanContext().spanId);
    expect(enqueue.attributes['vidq.video_id']).toBe(id);
    const add = only(spans, 'add generations.generate');
    expect(parentOf(add)).toBe(enqueue.spanContext().spanId);

    // The job carries the trace as a W3C traceparent (BullMQ keeps it in the job's options).
    const redis = createRedis(config.REDIS_URL, 'producer');
    const queue = createGenerationQueue(redis, config);
    try {
      const job = await queue.getJob(id);
      const metadata = JSON.parse(job?.opts.telemetry?.metadata ?? '{}') as { traceparent?: string };
      expect(metadata.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-0[01]$`));
    } finally {
      await queue.close();
      redis.disconnect();
    }

    // The worker half: every run of the job (submit, then each delayed check) is a child of the add.
    const runs = named(spans, 'process generations');
    expect(runs.length).toBeGreaterThanOrEqual(3); // submit + a pending check + the completing check
    for (const run of runs) expect(parentOf(run)).toBe(add.spanContext().spanId);
    const runIds = new Set(runs.map((r) => r.spanContext().spanId));

    const submit = only(spans, 'vidq.submit');
    expect(runIds.has(parentOf(submit)!)).toBe(true);
    expect(submit.attributes['vidq.outcome']).toBe('delayed');
    const create = only(spans, 'POST /v2/video/generations');
    expect(parentOf(create)).toBe(submit.spanContext().spanId);

    const checks = named(spans, 'vidq.check');
    expect(checks.length).toBe(runs.length - 1);
    for (const check of checks) expect(runIds.has(parentOf(check)!)).toBe(true);
    expect(checks.map((c) => c.attributes['vidq.outcome']).sort()).toEqual([
      'completed',
      ...Array<string>(checks.length - 1).fill('delayed'),
    ]);
    const polls = named(spans, 'GET /v2/video/generations');
    expect(polls).toHaveLength(checks.length);
    const checkIds = new Set(checks.map((c) => c.spanContext().spanId));
    for (const poll of polls) expect(checkIds.has(parentOf(poll)!)).toBe(true);

    const settle = only(spans, 'vidq.settle');
    const last = checks.find((c) => c.attributes['vidq.outcome'] === 'completed')!;
    expect(parentOf(settle)).toBe(last.spanContext().spanId);

    // Provider calls follow the HTTP client conventions, without the key.
    const simHost = new URL(simulator.url);
    expect(create.attributes).toMatchObject({
      'http.request.method': 'POST',
      'server.address': simHost.hostname,
      'server.port': Number(simHost.port),
      'url.full': `${simulator.url}/v2/video/generations`,
    });
    expect(create.attributes['http.response.status_code']).toBeTypeOf('number');
    expect(polls[0]!.attributes['url.full']).toMatch(/\/v2\/video\/generations\?generation_id=/);
    expect(polls[0]!.attributes['http.response.status_code']).toBe(200);

    // The side effects continue the trace: the archive and webhook jobs are added by the last run. A
    // span is exported when it ends, and a job's run ends after its inner span: wait for both.
    const sideEffects = ['vidq.archive', 'process archive', 'vidq.webhook.deliver', 'process webhooks'];
    await expect
      .poll(() => sideEffects.filter((name) => inTrace().some((s) => s.name === name)), { timeout: 10_000 })
      .toEqual(sideEffects);
    const all = inTrace();
    const byId = new Map(all.map((s) => [s.spanContext().spanId, s]));
    const chain = (span: ReadableSpan): string[] => {
      const names: string[] = [];
      for (let p = byId.get(parentOf(span) ?? ''); p; p = byId.get(parentOf(p) ?? '')) names.push(p.name);
      return names;
    };
    expect(chain(only(all, 'vidq.archive'))).toEqual([
      'process archive',
      'add archive.archive',
      'process generations',
      'add generations.generate',
      'vidq.enqueue',
      'POST /v1/videos',
    ]);
    expect(chain(only(all, 'vidq.webhook.deliver')).slice(0, 2)).toEqual([
      'process webhooks',
      'add webhooks.deliver',
    ]);
    expect(chain(only(all, 'vidq.webhook.deliver'))).toContain('add generations.generate');
    expect(only(all, 'vidq.webhook.deliver').attributes['http.response.status_code']).toBe(204);
    console.log(`trace ${traceId}:\n${tree(all)}`);

    // Nothing recorded anywhere (attributes, event attributes, any span of the run) holds a secret
    // or the prompt.
    const recorded = JSON.stringify(
      exporter.getFinishedSpans().map((s) => [s.name, s.attributes, s.events.map((e) => e.attributes)]),
    );
    for (const secret of [PROMPT, PROVIDER_KEY, API_TOKEN, WEBHOOK_SECRET, 'Bearer', receiver.url])
      expect(recorded).not.toContain(secret);
  });
});
