import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import type { PublicBatchView } from '@vidqueue/core/contract';

/** What a watcher of a batch is told: the batch after the changes, and which rows changed. */
export type BatchUpdate = {
  batch: PublicBatchView;
  /** Rows that changed and their status now; null when many rows changed at once (a cancel, a retry). */
  rows: { row: number; status: string }[] | null;
};

export type BatchEvents = {
  /**
   * Calls `listener` with coalesced updates of the batch until `stop()`; `ready` resolves once the
   * batch's channel is subscribed (what changes from then on reaches the listener).
   */
  watch(batchId: string, listener: (update: BatchUpdate) => void): { ready: Promise<void>; stop(): void };
};

declare module 'fastify' {
  interface FastifyInstance {
    batchEvents: BatchEvents;
  }
}

/** Updates of one batch are sent at most this often, however fast its rows change. */
export const BATCH_EVENTS_INTERVAL_MS = 250;
/** More changed rows than this in one update are sent as "many" (null): the page reloads its rows. */
const MAX_ROWS_PER_UPDATE = 500;

type Watched = {
  listeners: Set<(update: BatchUpdate) => void>;
  pending: Map<number, string> | 'many' | undefined;
  timer: NodeJS.Timeout | undefined;
  /** Resolves once the channel is subscribed (or the attempt failed, which is logged). */
  subscribed: Promise<void>;
};

/**
 * Live updates of batches, from what the workers already record: every row transition script
 * (`batch-set-row`, `-retry-rows`, `-cancel-rows`) publishes `<row> <status>` on the batch's channel
 * in the same step as the change. One subscriber connection per API process, opened on the first
 * watcher; a channel is subscribed while someone watches that batch. Messages of a batch are
 * coalesced: at most one update per BATCH_EVENTS_INTERVAL_MS, with one read of the batch's counts
 * shared by every watcher, so a 100 000-row batch costs each open page a few small messages a second.
 */
export const batchEventsPlugin = fp(
  (app: FastifyInstance, _options: unknown, done: (err?: Error) => void) => {
    const watched = new Map<string, Watched>();
    let subscriber: Redis | undefined;
    const channelOf = (batchId: string) => app.keys.batch(batchId).events;
    const batchOf = new Map<string, string>();

    const connect = (): Redis => {
      if (subscriber) return subscriber;
      const sub = app.redis.duplicate({
        connectionName: 'vidq-batch-events',
        maxRetriesPerRequest: null,
        enableOfflineQueue: true,
      });
      sub.on('error', (err: Error) =>
        app.log.debug({ err: { message: err.message } }, 'batch events redis error'),
      );
      sub.on('message', (channel: string, message: string) => {
        const batchId = batchOf.get(channel);
        const entry = batchId === undefined ? undefined : watched.get(batchId);
        if (batchId === undefined || !entry) return;
        const [row, status] = message.split(' ');
        if (row === '*' || entry.pending === 'many') entry.pending = 'many';
        else {
          entry.pending ??= new Map();
          entry.pending.set(Number(row), status ?? '');
          if (entry.pending.size > MAX_ROWS_PER_UPDATE) entry.pending = 'many';
        }
        entry.timer ??= setTimeout(() => void flush(batchId, entry), BATCH_EVENTS_INTERVAL_MS);
      });
      subscriber = sub;
      return sub;
    };

    const flush = async (batchId: string, entry: Watched): Promise<void> => {
      const pending = entry.pending;
      entry.pending = undefined;
      entry.timer = undefined;
      if (entry.listeners.size === 0 || pending === undefined) return;
      let batch: PublicBatchView;
      try {
        batch = await app.producer.getBatch(batchId);
      } catch (err) {
        app.log.debug({ err, batchId }, 'batch events: batch not readable');
        return;
      }
      const rows =
        pending === 'many'
          ? null
          : [...pending].map(([row, status]) => ({ row, status })).sort((a, b) => a.row - b.row);
      for (const listener of entry.listeners) listener({ batch, rows });
    };

    const events: BatchEvents = {
      watch(batchId, listener) {
        let entry = watched.get(batchId);
        if (!entry) {
          const channel = channelOf(batchId);
          batchOf.set(channel, batchId);
          entry = {
            listeners: new Set(),
            pending: undefined,
            timer: undefined,
            subscribed: connect()
              .subscribe(channel)
              .then(
                () => undefined,
                (err: unknown) => app.log.warn({ err, batchId }, 'batch events: subscribe failed'),
              ),
          };
          watched.set(batchId, entry);
        }
        const current = entry;
        current.listeners.add(listener);
        const stop = () => {
          current.listeners.delete(listener);
          if (current.listeners.size > 0 || watched.get(batchId) !== current) return;
          watched.delete(batchId);
          if (current.timer) clearTimeout(current.timer);
          const channel = channelOf(batchId);
          batchOf.delete(channel);
          subscriber?.unsubscribe(channel).catch(() => undefined);
        };
        return { ready: current.subscribed, stop };
      },
    };
    app.decorate('batchEvents', events);

    app.addHook('onClose', async () => {
      for (const entry of watched.values()) if (entry.timer) clearTimeout(entry.timer);
      watched.clear();
      if (!subscriber) return;
      const sub = subscriber;
      subscriber = undefined;
      await Promise.race([
        sub.quit().catch(() => undefined),
        new Promise((r) => setTimeout(r, 1_000).unref()),
      ]);
      sub.disconnect();
    });
    done();
  },
  { name: 'vidq-batch-events', dependencies: ['vidq-producer'] },
);
