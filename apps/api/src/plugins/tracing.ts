import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { context, propagation, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import { SpanKind, TRACER_NAME, tracingEnabled } from '@vidqueue/telemetry';

type RequestTrace = { span: Span; ctx: Context };
const traces = new WeakMap<FastifyRequest, RequestTrace>();

/**
 * One SERVER span per request, named `<METHOD> <route>` (`POST /v1/videos`) after the HTTP server
 * semantic conventions: `http.request.method`, `http.route`, `url.path` (no query string), `url.scheme`,
 * `http.response.status_code`. Never a header, a body or a query value. A caller's `traceparent` is
 * continued. The span is made the active context for the handler (entered in `preHandler`, after the
 * body is read: body parsing runs in the socket's context, not ours), so the producer's `vidq.enqueue`
 * and BullMQ's `add` are its children and the job carries this trace to the worker.
 * With tracing off the hooks are not even added.
 */
export const tracingPlugin = fp(
  (app: FastifyInstance, _options: object, done: (err?: Error) => void) => {
    if (!tracingEnabled()) return done();
    const tracer = trace.getTracer(TRACER_NAME);
    app.addHook('onRequest', (request, _reply, next) => {
      const route = request.routeOptions.url;
      const parent = propagation.extract(context.active(), request.headers);
      const span = tracer.startSpan(
        route === undefined ? request.method : `${request.method} ${route}`,
        {
          kind: SpanKind.SERVER,
          attributes: {
            'http.request.method': request.method,
            'url.path': request.url.split('?')[0] ?? '/',
            'url.scheme': request.protocol,
            ...(route !== undefined && { 'http.route': route }),
          },
        },
        parent,
      );
      traces.set(request, { span, ctx: trace.setSpan(parent, span) });
      next();
    });
    app.addHook('preHandler', (request, _reply, next) => {
      const entry = traces.get(request);
      if (entry) context.with(entry.ctx, next);
      else next();
    });
    app.addHook('onResponse', (request, reply, next) => {
      const entry = traces.get(request);
      if (entry) {
        entry.span.setAttribute('http.response.status_code', reply.statusCode);
        if (reply.statusCode >= 500) {
          entry.span.setAttribute('error.type', String(reply.statusCode));
          entry.span.setStatus({ code: SpanStatusCode.ERROR });
        }
        entry.span.end();
        traces.delete(request);
      }
      next();
    });
    app.addHook('onRequestAbort', (request, next) => {
      const entry = traces.get(request);
      if (entry) {
        entry.span.setAttribute('error.type', 'aborted');
        entry.span.end();
        traces.delete(request);
      }
      next();
    });
    done();
  },
  { name: 'vidq-tracing' },
);
