import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import type { PublicBatchView } from '@vidqueue/core/contract';
import { BatchErrorSchema } from '../error-schema.js';
import { IdParams, type ZodApp } from './schemas.js';
import { SECURITY_HEADERS } from '../../security-headers.js';

/** A comment line this often keeps proxies and the browser from dropping an idle stream. */
const KEEP_ALIVE_MS = 15_000;
/** How long a browser waits before reconnecting a dropped stream. */
const RETRY_MS = 2_000;

/**
 * `GET /v1/batches/:id/events`: server-sent events of one batch. Every connection starts with a
 * `snapshot` (the whole batch view), so a client that reconnects (EventSource does it by itself,
 * sending `Last-Event-ID`) misses nothing: it gets the state now, then `update`s. An update carries the
 * batch view and the rows that changed (`rows: [{ row, status }]`, or null when many did at once).
 * Updates are coalesced by `app.batchEvents` (at most 4 a second per batch).
 */
export function batchEventsRoute(app: ZodApp): void {
  const open = new Set<ServerResponse>();
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
          503: BatchErrorSchema,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
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
      open.add(res);
      res.on('close', () => {
        clearInterval(keepAlive);
        watch.stop();
        open.delete(res);
      });
      request.log.debug(
        { batchId: id, resumed: request.headers['last-event-id'] !== undefined },
        'batch events stream opened',
      );
    },
  );
}
