/**
 * The OpenTelemetry SDK of a vidqueue process. Libraries (`@vidqueue/telemetry`, core, aimlapi) use
 * only `@opentelemetry/api`, which does nothing until a tracer provider is registered; this is the one
 * place that registers one, and only apps import it.
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { disableTracing, enableTracing } from '@vidqueue/telemetry';

export type StartTracingOptions = {
  /** `OTEL_EXPORTER_OTLP_ENDPOINT`: OTLP/HTTP base URL; spans go to `<endpoint>/v1/traces`. */
  endpoint?: string | undefined;
  /** `service.name` on every span of this process. */
  serviceName: string;
  /** Processors instead of the OTLP exporter (tests: a SimpleSpanProcessor over an InMemorySpanExporter). */
  spanProcessors?: SpanProcessor[];
};

export type Tracing = {
  /** Exports what is buffered, stops the provider and unregisters it (tracing is off again). */
  shutdown(): Promise<void>;
};

/**
 * Registers a tracer provider (AsyncLocalStorage context, W3C `traceparent` propagation) and turns
 * vidqueue's tracing on; undefined, and nothing registered, without an endpoint or processors.
 * Call it before making queues and workers: they pick their telemetry up when built.
 */
export function startTracing(options: StartTracingOptions): Tracing | undefined {
  const { endpoint } = options;
  const spanProcessors =
    options.spanProcessors ??
    (endpoint === undefined
      ? undefined
      : [new BatchSpanProcessor(new OTLPTraceExporter({ url: tracesUrl(endpoint) }))]);
  if (spanProcessors === undefined) return undefined;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors,
  });
  provider.register();
  enableTracing();
  let stopping: Promise<void> | undefined;
  return {
    shutdown: () =>
      (stopping ??= (async () => {
        disableTracing();
        try {
          await provider.shutdown();
        } finally {
          trace.disable();
          context.disable();
          propagation.disable();
        }
      })()),
  };
}

/** The OTLP rule for the signal-agnostic endpoint: traces go to `<endpoint>/v1/traces`. */
function tracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}
