import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { tracingEnabled, withSpan } from '@vidqueue/telemetry';
import { startTracing } from '../src/index.js';

type Received = { path: string | undefined; contentType: string | undefined; body: string };
let server: Server | undefined;

/** A stand-in OTLP/HTTP collector on a free port that keeps every request. */
async function startCollector(): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        path: req.url,
        contentType: req.headers['content-type'],
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

describe('startTracing', () => {
  it('is off without an endpoint: nothing registered, no span made', async () => {
    expect(startTracing({ serviceName: 'x' })).toBeUndefined();
    expect(tracingEnabled()).toBe(false);
    await withSpan('never', {}, (span) => {
      expect(span).toBeUndefined();
      return Promise.resolve();
    });
  });

  it('exports by OTLP/HTTP to <endpoint>/v1/traces, flushed by shutdown, then is off again', async () => {
    const collector = await startCollector();
    const tracing = startTracing({ endpoint: `${collector.url}/`, serviceName: 'vidqueue-otlp-test' });
    expect(tracing).toBeDefined();
    expect(tracingEnabled()).toBe(true);
    await withSpan('vidq.test-span', {}, () => Promise.resolve());
    // Batched: nothing has to be sent yet; shutdown must flush it.
    await tracing!.shutdown();
    expect(tracingEnabled()).toBe(false);
    expect(collector.received).toHaveLength(1);
    const [request] = collector.received;
    expect(request?.path).toBe('/v1/traces');
    expect(request?.body).toContain('vidq.test-span');
    expect(request?.body).toContain('vidqueue-otlp-test');
  });
});
