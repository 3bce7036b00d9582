import { describe, expect, it } from 'vitest';
import { SpanStatusCode } from '@opentelemetry/api';
import { httpClientAttributes, redactUrl, tracingEnabled, withSpan, withSpanSync } from '../src/index.js';
import { bullmqTelemetry } from '../src/bullmq.js';
import { memoryTracing } from './memory-tracing.js';

const { exporter, turnOn } = memoryTracing();

describe('off', () => {
  it('calls straight through: no span, no BullMQ telemetry', async () => {
    expect(tracingEnabled()).toBe(false);
    await expect(withSpan('x', {}, (span) => Promise.resolve(span))).resolves.toBeUndefined();
    expect(withSpanSync('x', {}, (span) => span)).toBeUndefined();
    expect(bullmqTelemetry()).toBeUndefined();
  });
});

describe('on', () => {
  it('records a span per call, nested under the active one', async () => {
    turnOn();
    await withSpan('outer', { attributes: { a: 1 } }, () => withSpan('inner', {}, () => Promise.resolve()));
    const [inner, outer] = exporter.getFinishedSpans();
    expect(outer?.name).toBe('outer');
    expect(outer?.attributes).toEqual({ a: 1 });
    expect(inner?.parentSpanContext?.spanId).toBe(outer?.spanContext().spanId);
  });

  it('marks a failure by its code or class, without its message; a DelayedError is no failure', async () => {
    turnOn();
    const failure = Object.assign(new Error('the provider said: a prompt'), { code: 'generation_failed' });
    await expect(withSpan('failed', {}, () => Promise.reject(failure))).rejects.toBe(failure);
    const delayed = Object.assign(new Error('delayed'), { name: 'DelayedError' });
    expect(() =>
      withSpanSync('delayed', {}, () => {
        throw delayed;
      }),
    ).toThrow(delayed);
    const [failed, wait] = exporter.getFinishedSpans();
    expect(failed?.status.code).toBe(SpanStatusCode.ERROR);
    expect(failed?.status.message).toBeUndefined();
    expect(failed?.attributes).toEqual({ 'error.type': 'generation_failed' });
    expect(failed?.events).toEqual([]);
    expect(wait?.status.code).toBe(SpanStatusCode.UNSET);
    expect(wait?.attributes).toEqual({ 'vidq.outcome': 'delayed' });
  });

  it('gives BullMQ one telemetry whose orphan INTERNAL spans (background loops) are not recorded', async () => {
    turnOn();
    const telemetry = bullmqTelemetry();
    expect(telemetry).toBe(bullmqTelemetry());
    telemetry!.tracer.startSpan('getNextJob generations', { kind: 0 }).end();
    await withSpan('request', {}, () => {
      telemetry!.tracer.startSpan('getNextJob generations', { kind: 0 }).end();
      telemetry!.tracer.startSpan('add generations.generate', { kind: 3 }).end();
      return Promise.resolve();
    });
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual([
      'getNextJob generations',
      'add generations.generate',
      'request',
    ]);
  });
});

describe('redactUrl', () => {
  it('keeps listed query values, redacts the rest and drops credentials', () => {
    expect(
      redactUrl('https://user:pw@api.example.com:8443/v2/x?generation_id=a%3Ab&token=s3cret', [
        'generation_id',
      ]),
    ).toBe('https://api.example.com:8443/v2/x?generation_id=a%3Ab&token=REDACTED');
    expect(redactUrl('not a url')).toBeUndefined();
  });

  it('builds HTTP client attributes', () => {
    expect(
      httpClientAttributes('GET', 'https://api.example.com/v2/logs?period=24h&key=k', {
        keepQuery: ['period'],
        template: '/v2/logs',
      }),
    ).toEqual({
      'http.request.method': 'GET',
      'server.address': 'api.example.com',
      'server.port': 443,
      'url.full': 'https://api.example.com/v2/logs?period=24h&key=REDACTED',
      'url.template': '/v2/logs',
    });
  });
});
