export { disableTracing, enableTracing, tracingEnabled } from './switch.js';
export { SpanKind, TRACER_NAME, withSpan, withSpanSync } from './spans.js';
export type { Attributes, Span, SpanOptions } from './spans.js';
export { httpClientAttributes, redactUrl } from './http-client.js';
