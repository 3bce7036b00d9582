import { SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { tracingEnabled } from './switch.js';

/** The instrumentation scope of every span vidqueue makes itself (BullMQ's own are scope `bullmq`). */
export const TRACER_NAME = 'vidqueue';

export type SpanOptions = {
  kind?: SpanKind;
  /** Set when the span starts (a sampler sees them). Never a prompt, a key or a token. */
  attributes?: Attributes;
  /** `error.type` for an error `fn` throws, instead of its `code` or class name (HTTP: the status). */
  errorType?: (err: unknown) => string | undefined;
};

/**
 * How a span ends when its function throws. BullMQ's `DelayedError` is how a job waits for its next
 * step, not a failure: the span stays OK and says `vidq.outcome: delayed`. Anything else marks the span
 * as an error with `error.type` (the error's `code` when it has one, such as a failure code, else its
 * class name) and no message: provider messages are outside text and could quote a prompt.
 */
function endWithError(span: Span, err: unknown, options: SpanOptions): void {
  const e = err as { name?: unknown; code?: unknown } | undefined;
  const name = typeof e?.name === 'string' ? e.name : 'Error';
  if (name === 'DelayedError') {
    span.setAttribute('vidq.outcome', 'delayed');
    return;
  }
  const code = typeof e?.code === 'string' ? e.code : undefined;
  span.setAttribute('error.type', options.errorType?.(err) ?? code ?? name);
  span.setStatus({ code: SpanStatusCode.ERROR });
}

/**
 * Runs `fn` inside a new active span named `name` (a child of the active one), ended when `fn` settles.
 * With tracing off, `fn(undefined)` and nothing else: callers write `span?.setAttribute(...)`.
 */
export async function withSpan<T>(
  name: string,
  options: SpanOptions,
  fn: (span: Span | undefined) => Promise<T>,
): Promise<T> {
  if (!tracingEnabled()) return fn(undefined);
  const { kind, attributes } = options;
  return trace.getTracer(TRACER_NAME).startActiveSpan(name, { kind, attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      endWithError(span, err, options);
      throw err;
    } finally {
      span.end();
    }
  });
}

/** `withSpan` for a synchronous function. */
export function withSpanSync<T>(name: string, options: SpanOptions, fn: (span: Span | undefined) => T): T {
  if (!tracingEnabled()) return fn(undefined);
  const { kind, attributes } = options;
  return trace.getTracer(TRACER_NAME).startActiveSpan(name, { kind, attributes }, (span) => {
    try {
      return fn(span);
    } catch (err) {
      endWithError(span, err, options);
      throw err;
    } finally {
      span.end();
    }
  });
}

export { SpanKind };
export type { Attributes, Span };
