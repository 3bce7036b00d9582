import { EventEmitter } from 'node:events';
import { QueueEvents } from 'bullmq';
import type { VideoView } from '@vidqueue/core/contract';
import { createRedis, type RedisConnection } from '@vidqueue/core/runtime';
import { GENERATIONS_QUEUE } from '@vidqueue/core/store';
import { settle } from './http-client.js';
import type { RedisContext } from './redis-context.js';
import type { WaitOptions } from './types.js';
import { waitLoop } from './wait.js';

/**
 * `waitFor` in the Redis mode: event-driven (BullMQ's `completed`/`failed` events, and cancels made
 * through this client, which BullMQ has no event for), never a poll. `get` reads the view after
 * subscribing, so a video that finished before the subscription is seen too.
 */
export function createRedisWaiter(ctx: RedisContext, get: (id: string) => Promise<VideoView>) {
  // One QueueEvents per shard (QUEUE_SHARDS): a video's events come from the shard that holds it.
  let events: QueueEvents[] | undefined;
  const connections: RedisConnection[] = [];
  const local = new EventEmitter();
  local.setMaxListeners(0);

  async function getEvents(): Promise<QueueEvents[]> {
    events ??= ctx.queue.shards.map((shard) => {
      // QueueEvents blocks on XREAD: each needs its own connection.
      const connection = createRedis(ctx.config, 'worker', { connectionName: 'vidq-client-events' });
      connection.on('error', () => undefined);
      connections.push(connection);
      const queueEvents = new QueueEvents(GENERATIONS_QUEUE, { connection, prefix: shard.opts.prefix });
      queueEvents.on('error', () => undefined);
      return queueEvents;
    });
    const ready = events;
    await ctx.producer.guard(() => Promise.all(ready.map((e) => e.waitUntilReady())));
    return ready;
  }

  return {
    /** Wakes this client's waiters for a video it cancelled. */
    cancelled(id: string): void {
      local.emit('cancelled', { jobId: id });
    },

    waitFor(id: string, options: WaitOptions = {}): Promise<VideoView> {
      return waitLoop(id, options, async (signal) => {
        const shardEvents = await getEvents();
        return new Promise<VideoView>((resolve, reject) => {
          let checking = false;
          let again = false;
          const cleanup = () => {
            for (const e of shardEvents) e.off('completed', onEvent).off('failed', onEvent);
            local.off('cancelled', onEvent);
            signal.removeEventListener('abort', onAbort);
          };
          const check = async (): Promise<void> => {
            if (checking) {
              again = true;
              return;
            }
            checking = true;
            try {
              do {
                again = false;
                const done = settle(await get(id));
                if (done) {
                  cleanup();
                  resolve(done);
                  return;
                }
              } while (again);
            } catch (err) {
              cleanup();
              reject(err instanceof Error ? err : new Error(String(err)));
            } finally {
              checking = false;
            }
          };
          const onEvent = ({ jobId }: { jobId: string }) => {
            if (jobId === id) void check();
          };
          const onAbort = () => {
            cleanup();
            reject(signal.reason as Error);
          };
          for (const e of shardEvents) e.on('completed', onEvent).on('failed', onEvent);
          local.on('cancelled', onEvent);
          if (signal.aborted) return onAbort();
          signal.addEventListener('abort', onAbort, { once: true });
          // After subscribing: a job that finished before the subscription is seen here.
          void check();
        });
      });
    },

    async close(): Promise<void> {
      await Promise.all((events ?? []).map((e) => e.close()));
      for (const connection of connections) connection.disconnect();
    },
  };
}
