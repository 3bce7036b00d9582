import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { Config } from '@vidqueue/core/runtime';
import { z } from 'zod';
import type { PublicBatchView } from '@vidqueue/core/contract';
import { BatchErrorSchema } from '../error-schema.js';
import { IdParams, type ZodApp } from './schemas.js';
import { SECURITY_HEADERS } from '../../security-headers.js';
import { HttpError } from '../../errors.js';

/** A comment line this often keeps proxies and the browser from dropping an idle stream. */
const KEEP_ALIVE_MS = 15_000;
/** How long a browser waits before reconnecting a dropped stream. */
const RETRY_MS = 2_000;
/**
 * A stream is ended after this long; EventSource reconnects by itself (with a fresh snapshot), so a
 * signed-out session or a revoked token does not keep one open for ever.
 */
export const STREAM_MAX_MS = 30 * 60_000;
/** Retry-After of a stream refused for the caps. */
const STREAMS_RETRY_AFTER_S = 10;

/**
 * `GET /v1/batches/:id/events`: server-sent events of one batch. Every connection starts with a
 * `snapshot` (the whole batch view), so a client that reconnects (EventSource does it by itself,
 * sending `Last-Event-ID`) misses nothing: it gets the state now, then `update`s. An update carries the
 * batch view and the rows that changed (`rows: [{ row, status }]`, or null when many did at once).
 * Updates are coalesced by `app.batchEvents` (at most 4 a second per batch).
 */
export function batchEventsRoute(
  app: ZodApp,
  config: Pick<Config, 'MAX_EVENT_STREAMS' | 'MAX_EVENT_STREAMS_PER_CLIENT'>,
): void {
  const open = new Set<ServerResponse>();
  /** Streams held (open, or admitted and about to open), in all and per client address. */
  let held = 0;
  const perClient = new Map<string, number>();
  /**
   * Admits a stream under both caps (each holds a socket and a subscription) or refuses it: 429 past
   * MAX_EVENT_STREAMS_PER_CLIENT, 503 past MAX_EVENT_STREAMS. Counted at once, so requests arriving
   * together cannot all pass; the returned release gives the place back (once).
   */
  const admit = (ip: string, reply: FastifyReply): (() => void) => {
    const mine = perClient.get(ip) ?? 0;
    if (config.MAX_EVENT_STREAMS_PER_CLIENT > 0 && mine >= config.MAX_EVENT_STREAMS_PER_CLIENT) {
      reply.header('retry-after', String(STREAMS_RETRY_AFTER_S));
      throw new HttpError.TooManyClientStreams(mine);
    }
    if (config.MAX_EVENT_STREAMS > 0 && held >= config.MAX_EVENT_STREAMS) {
      reply.header('retry-after', String(STREAMS_RETRY_AFTER_S));
      throw new HttpError.TooManyStreams(held);
    }
    held += 1;
    perClient.set(ip, mine + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      held -= 1;
      const left = (perClient.get(ip) ?? 1) - 1;
      if (left > 0) perClient.set(ip, left);
      else perClient.delete(ip);
    };
  };
  app.addHook('preClose', (done) => {
    // Open streams would hold the server's close forever.
    for (const res of open) res.end();
    done();
  });

  app.get(
    '/v1/batches/:id/events',
    {
      schema: {
        tags: ['batches'],
        summary: 'Live counts and row changes of a batch, as server-sent events',
        description:
          'text/event-stream. First `event: snapshot` with the batch (the same body as GET /v1/batches/:id), then `event: update` with `{ batch, rows }` where rows lists `{ row, status }` of the rows that changed (null when many changed at once: reload the rows). Every (re)connection starts with a snapshot; `id` increases within a connection.',
        params: IdParams,
        response: {
          200: z.string().describe('text/event-stream'),
          404: BatchErrorSchema,
          429: BatchErrorSchema.describe(
            'TOO_MANY_STREAMS: MAX_EVENT_STREAMS_PER_CLIENT from this client (Retry-After)',
          ),
          503: BatchErrorSchema.describe(
            'REDIS_UNAVAILABLE, or TOO_MANY_STREAMS: MAX_EVENT_STREAMS in this process (Retry-After)',
          ),
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const release = request.method === 'HEAD' ? () => undefined : admit(request.ip, reply);
      let started = false;
      let send: (event: string, data: unknown) => void = () => undefined;
      // An update told while the snapshot is read may be newer than it: remembered, see below.
      let early = false;
      // Subscribed before the snapshot is read: no change falls between the two.
      const watch = app.batchEvents.watch(id, (update) => {
        if (started) send('update', update);
        else early = true;
      });
      let batch: PublicBatchView;
      try {
        // Redis down: the subscription waits for it; the read below answers 503 instead of hanging.
        await Promise.race([watch.ready, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
        batch = await app.producer.getBatch(id); // 404 before the stream starts
      } catch (err) {
        watch.stop();
        release();
        throw err;
      }
      const res = reply.raw;
      reply.hijack();
      const head = {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        // Hijacked: the root onSend hook does not run for this answer.
        ...SECURITY_HEADERS,
      };
      if (request.method === 'HEAD') {
        // The headers alone (Fastify's automatic HEAD route runs this handler): no stream to keep open.
        watch.stop();
        res.writeHead(200, head).end();
        return;
      }
      res.writeHead(200, { ...head, connection: 'keep-alive', 'x-accel-buffering': 'no' });
      let seq = 0;
      send = (event, data) => {
        if (res.writableEnded || res.destroyed) return;
        seq += 1;
        res.write(`id: ${seq}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      };
      res.write(`retry: ${RETRY_MS}\n\n`);
      send('snapshot', batch);
      started = true;
      if (early) {
        // Its change may be missing from the snapshot: read the batch again, and reload every row.
        app.producer.getBatch(id).then(
          (again) => send('update', { batch: again, rows: null }),
          (err: unknown) => request.log.debug({ err, batchId: id }, 'batch events: batch not readable'),
        );
      }
      const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
      const lifetime = setTimeout(() => res.end(), STREAM_MAX_MS);
      open.add(res);
      const closed = () => {
        clearInterval(keepAlive);
        clearTimeout(lifetime);
        watch.stop();
        open.delete(res);
        release();
      };
      res.on('close', closed);
      // A client gone while the snapshot was read has already closed: its place is given back now.
      if (res.destroyed) closed();
      request.log.debug(
        { batchId: id, resumed: request.headers['last-event-id'] !== undefined },
        'batch events stream opened',
      );
    },
  );
}
