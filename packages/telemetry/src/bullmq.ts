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

/** BullMQ's event attributes (`TelemetryAttributes.JobResult`, `.JobFailedReason`). */
const JOB_RESULT = 'bullmq.job.result';
const JOB_FAILED_REASON = 'bullmq.job.failed.reason';

type EventAttributes = Parameters<BullMQOTelSpan['addEvent']>[1];

/**
 * A BullMQ span event as traces may keep it: no job return value (job data: a generation's provider
 * video URL, which can be a signed URL), and of a failure reason (`<code>: <message>`, the message
 * possibly the provider's text, which could quote a prompt) only the code before the first colon.
 */
export function scrubEventAttributes(attributes: EventAttributes): EventAttributes {
  if (!attributes || !(JOB_RESULT in attributes || JOB_FAILED_REASON in attributes)) return attributes;
  const { [JOB_RESULT]: _result, [JOB_FAILED_REASON]: reason, ...kept } = attributes;
  if (typeof reason === 'string') kept[JOB_FAILED_REASON] = reason.split(':', 1)[0] ?? '';
  return kept;
}

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
 *   seconds per worker. The same operations inside a prompt's trace are kept;
 * - its span events keep no job return value and only the code of a failure reason
 *   (`scrubEventAttributes`): traces record no job data and no provider text.
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
      const span = inner.startSpan(name, options, ctx);
      const addEvent = span.addEvent.bind(span);
      span.addEvent = (event: string, attributes?: EventAttributes, ...rest: unknown[]) =>
        (addEvent as (...args: unknown[]) => void)(event, scrubEventAttributes(attributes), ...rest);
      return span;
    },
  };
  shared = {
    contextManager: Object.assign(otel.contextManager, { root: () => ROOT_CONTEXT }),
    tracer,
  };
  return shared;
}
