import {
  INVALID_SPAN_CONTEXT,
  ROOT_CONTEXT,
  SpanKind,
  context,
  trace,
  type Context,
} from '@opentelemetry/api';
import type { Telemetry } from 'bullmq';
import { BullMQOTelSpan, BullMQOtel } from 'bullmq-otel';
import { tracingEnabled } from './switch.js';

let shared: Telemetry | undefined;

/**
 * BullMQ's telemetry for a Queue or Worker (`{ telemetry: bullmqTelemetry() }`), or undefined while
 * tracing is off (BullMQ then runs without any span code). One instance per process.
 *
 * It is `bullmq-otel`'s `BullMQOtel` with two changes:
 * - its context manager gets `root()`, which bullmq-otel 2.0 lacks and BullMQ 6 uses to run its
 *   background loops (the stalled-job checker) outside whatever span started them; without it every
 *   check of a long-lived worker would join one endless trace;
 * - INTERNAL spans with no parent (the worker's `getNextJob` on every blocking fetch, stalled checks,
 *   `close`) are not recorded: they belong to no prompt and would add a one-span trace every few
 *   seconds per worker. The same operations inside a prompt's trace are kept.
 */
export function bullmqTelemetry(): Telemetry | undefined {
  if (!tracingEnabled()) return undefined;
  if (shared) return shared;
  const otel = new BullMQOtel({ tracerName: 'bullmq' });
  const inner = otel.tracer;
  const unrecorded = new BullMQOTelSpan(trace.wrapSpanContext(INVALID_SPAN_CONTEXT));
  const tracer: Telemetry<Context>['tracer'] = {
    startSpan(name, options, ctx) {
      const orphan = trace.getSpan(ctx ?? context.active()) === undefined;
      if (orphan && (options?.kind ?? SpanKind.INTERNAL) === SpanKind.INTERNAL) return unrecorded;
      return inner.startSpan(name, options, ctx);
    },
  };
  shared = {
    contextManager: Object.assign(otel.contextManager, { root: () => ROOT_CONTEXT }),
    tracer,
  };
  return shared;
}
