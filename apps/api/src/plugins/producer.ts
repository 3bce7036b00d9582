import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Catalogue } from '@vidqueue/aimlapi';
import { vidqKeys } from '@vidqueue/core/contract';
import { createGenerationQueues, type GenerationQueues } from '@vidqueue/core/store';
import { createRedis, type Config, type RedisConnection } from '@vidqueue/core/runtime';
import { createProducer, createRedisGuard, type Guard, type Producer } from '@vidqueue/core/producer';
import { bullmqTelemetry } from '@vidqueue/telemetry/bullmq';

declare module 'fastify' {
  interface FastifyInstance {
    /** Every way work enters (videos, batches, cancel, retry, resume): the routes are adapters over it. */
    producer: Producer;
    /** The `generations` queue, on the producer connection. */
    queue: GenerationQueues;
    /** The producer connection: fails fast while Redis is down (no offline queue). */
    redis: RedisConnection;
    /** Our own keys beside BullMQ's (cancel flags, idempotency keys, account pause). */
    keys: ReturnType<typeof vidqKeys>;
    /**
     * Runs a Redis operation, or throws REDIS_UNAVAILABLE at once when the connection is down and
     * after `redisTimeoutMs` when Redis does not answer: a request never hangs on Redis.
     */
    withRedis: Guard;
  }
}

export type ProducerOptions = {
  config: Config;
  /** The models requests are checked against. */
  catalogue: Catalogue;
  /** Use this connection instead of opening one (the caller keeps ownership and closes it). */
  redis?: RedisConnection;
  /** Longest wait for one Redis operation before answering 503. */
  redisTimeoutMs: number;
};

/** The producer connection, the queue, the Redis guard and the producer over them, for every route. */
export const producerPlugin = fp(
  async (app: FastifyInstance, options: ProducerOptions) => {
    const { config, redisTimeoutMs } = options;
    const owned = options.redis === undefined;
    const redis = options.redis ?? createRedis(config, 'producer');
    const watcher = watchConnection(app, redis);
    // Give a fresh connection a moment so the first requests do not see 503; start anyway if
    // Redis is down (liveness still answers, readiness says 503 until it is back).
    await waitUntilReady(redis, redisTimeoutMs);

    const queue = createGenerationQueues(redis, config, { telemetry: bullmqTelemetry() });
    // Without a listener an 'error' event would crash the process; the connection watcher logs.
    queue.on('error', (err) => app.log.debug({ err }, 'queue error'));
    // While the connection is down a route answers 503 at once (connectWaitMs 0).
    const guard = createRedisGuard(redis, { timeoutMs: redisTimeoutMs });

    const producer = createProducer({
      redis,
      queue,
      config,
      guard,
      catalogue: options.catalogue,
      onPricesError: (err) =>
        app.log.warn({ err }, "could not read the provider's price catalogue; keeping the last prices"),
    });
    app.decorate('producer', producer);
    app.decorate('queue', queue);
    // Explicit: inference would spread the union over the decorator's conditional type.
    app.decorate<RedisConnection>('redis', redis);
    app.decorate('keys', vidqKeys(config.QUEUE_PREFIX));
    app.decorate('withRedis', guard);

    app.addHook('onClose', async () => {
      watcher.stop();
      producer.ctx.prices.close();
      await queue.close().catch((err: unknown) => app.log.debug({ err }, 'queue close'));
      if (!owned) return;
      if (redis.status === 'ready') {
        await Promise.race([redis.quit().catch(() => undefined), delay(redisTimeoutMs)]);
      }
      redis.disconnect();
    });
  },
  { name: 'vidq-producer' },
);

/** Logs when the producer connection is lost and when it is back, once per change. */
function watchConnection(app: FastifyInstance, redis: RedisConnection): { stop(): void } {
  let up = redis.status === 'ready';
  let lastError = '';
  const onReady = () => {
    if (!up) app.log.info('redis connection ready');
    up = true;
    lastError = '';
  };
  const onClose = () => {
    if (up) app.log.warn('redis connection lost; answering 503 until it is back');
    up = false;
  };
  const onError = (err: Error) => {
    // ioredis messages name host and port, never the password. Log each distinct error once.
    if (err.message === lastError) return;
    lastError = err.message;
    app.log.warn({ err: { message: err.message, code: (err as NodeJS.ErrnoException).code } }, 'redis error');
  };
  redis.on('ready', onReady);
  redis.on('close', onClose);
  redis.on('error', onError);
  return {
    stop() {
      redis.off('ready', onReady);
      redis.off('close', onClose);
      redis.off('error', onError);
      // Keep one listener so a late error event cannot crash the process.
      redis.on('error', () => undefined);
    },
  };
}

async function waitUntilReady(redis: RedisConnection, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return;
  let onReady: (() => void) | undefined;
  await Promise.race([
    new Promise<void>((resolve) => {
      onReady = resolve;
      redis.once('ready', resolve);
    }),
    delay(timeoutMs),
  ]);
  if (onReady) redis.removeListener('ready', onReady);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
