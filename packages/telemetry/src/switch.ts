/**
 * Whether this process traces. Off by default: every helper here then calls straight through (no span
 * object, no attribute built), so a process without an exporter pays one boolean test per step.
 * An app turns it on once, after registering a tracer provider (`startTracing` in `@vidqueue/tracing`, or
 * a test with an in-memory exporter), and before it makes its queues and workers: they read it when
 * they are built.
 */
let enabled = false;

export function enableTracing(): void {
  enabled = true;
}

/** For tests that trace in one file and must leave the process as they found it. */
export function disableTracing(): void {
  enabled = false;
}

export function tracingEnabled(): boolean {
  return enabled;
}
