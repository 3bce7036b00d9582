import { afterEach } from 'vitest';
import { context, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { disableTracing, enableTracing } from '../src/index.js';

/**
 * A test file's in-memory exporter: `turnOn()` registers an SDK (with the AsyncLocalStorage context
 * manager, as in the apps) and enables tracing; after each test everything is switched off and the
 * recorded spans dropped.
 */
export function memoryTracing(): { exporter: InMemorySpanExporter; turnOn: () => void } {
  const exporter = new InMemorySpanExporter();
  afterEach(() => {
    disableTracing();
    trace.disable();
    context.disable();
    propagation.disable();
    exporter.reset();
  });
  return {
    exporter,
    turnOn: () => {
      new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).register();
      enableTracing();
    },
  };
}
