import { EventEmitter } from 'node:events';
import { QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { validateGenerationParams, type ValidationIssue } from '@vidqueue/aimlapi';
import {
  IdempotencyKeySchema,
  MetadataSchema,
  toVideoView,
  vidqKeys,
  type NewGenerationJobData,
  type VideoView,
} from '@vidqueue/core/contract';
import { GENERATIONS_QUEUE, createGenerationQueue, type GenerationQueue } from '@vidqueue/core/store';
import { createRedis, loadConfig, type Config } from '@vidqueue/core/runtime';
import { createVideoOps, type LoadedVideo } from '@vidqueue/core/producer';
import { ApiError, NotFoundError, UnavailableError, ValidationError } from './errors.js';
import { settle } from './http-client.js';
import type { EnqueueOptions, QueuedVideo, VideoInput, VidqueueClient, WaitOptions } from './types.js';
import { waitLoop } from './wait.js';

export type RedisClientOptions = {
  /** e.g. `redis://127.0.0.1:6379`; the same Redis the workers use. */
  redisUrl: string;
  /** The workers' QUEUE_PREFIX (default `vidq`). */
  prefix?: string;
  /** Used when an input has no model (default: the server default, `sber-ai/kandinsky5-distill-t2v`). */
  defaultModel?: string;
  /** Longest prompt accepted (default 4000, as MAX_PROMPT_LENGTH). */
  maxPromptLength?: number;
  /** Longest wait for Redis on one call before UnavailableError (default 2000 ms). */
  redisTimeoutMs?: number;
  /** Retention of finished jobs, as the server's KEEP_* settings (defaults: theirs). */
  retention?: Partial<
    Pick<Config, 'KEEP_COMPLETED_SECONDS' | 'KEEP_COMPLETED_COUNT' | 'KEEP_FAILED_SECONDS'>
  >;
};

/** ioredis and network failures that mean "Redis is not reachable right now". */
function isUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as NodeJS.ErrnoException).code;
  if (
    code &&
    ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH'].includes(code)
  )
    return true;
  if (err.name === 'MaxRetriesPerRequestError') return true;
  return ['Connection is closed', "Stream isn't writeable", 'Reached the max retries per request'].some((m) =>
    err.message.includes(m),
  );
}

/** Everything the Redis mode needs, shared with its batch functions. */
export type RedisContext = {
  config: Config;
  redis: Redis;
  queue: GenerationQueue;
  keys: ReturnType<typeof vidqKeys>;
  withRedis<T>(op: () => Promise<T>): Promise<T>;
  validate(input: VideoInput): NewGenerationJobData;
};

export function createRedisContext(options: RedisClientOptions): RedisContext {
  const config: Config = {
    ...loadConfig({}),
    ...options.retention,
    REDIS_URL: options.redisUrl,
    QUEUE_PREFIX: options.prefix ?? 'vidq',
    ...(options.defaultModel ? { DEFAULT_MODEL: options.defaultModel } : {}),
    ...(options.maxPromptLength ? { MAX_PROMPT_LENGTH: options.maxPromptLength } : {}),
  };
  const timeoutMs = options.redisTimeoutMs ?? 2_000;
  const redis = createRedis(options.redisUrl, 'producer', { connectionName: 'vidq-client' });
  // Connection errors surface as UnavailableError on each call; keep them off 'error' crashes.
  redis.on('error', () => undefined);
  const queue = createGenerationQueue(redis, config);
  queue.on('error', () => undefined);

  async function ready(): Promise<void> {
    if (redis.status === 'ready') return;
    if (redis.status === 'end') throw new UnavailableError('The client was closed');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        redis.off('ready', onReady);
        reject(new UnavailableError(`Redis did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      redis.once('ready', onReady);
    });
  }

  return {
    config,
    redis,
    queue,
    keys: vidqKeys(config.QUEUE_PREFIX),
    async withRedis<T>(op: () => Promise<T>): Promise<T> {
      await ready();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new UnavailableError(`Redis did not answer within ${timeoutMs} ms`)),
          timeoutMs,
        );
      });
      try {
        return await Promise.race([op(), timeout]);
      } catch (err) {
        if (isUnavailable(err))
          throw new UnavailableError('Redis is unreachable; try again shortly', { cause: err });
        throw err;
      } finally {
        clearTimeout(timer);
      }
    },
    validate(input) {
      return validateInput(input, config);
    },
  };
}

/** The same checks as POST /v1/videos: provider parameters by the model table, custom_id, metadata. */
export function validateInput(
  input: VideoInput,
  config: Pick<Config, 'DEFAULT_MODEL' | 'MAX_PROMPT_LENGTH'>,
): NewGenerationJobData {
  if (typeof input !== 'object' || input === null)
    throw new ValidationError([{ path: '', message: 'the input must be an object' }]);
  const { custom_id, metadata, ...params } = input;
  const issues: ValidationIssue[] = [];
  if (
    custom_id !== undefined &&
    (typeof custom_id !== 'string' || custom_id.length < 1 || custom_id.length > 200)
  ) {
    issues.push({ path: 'custom_id', message: 'custom_id must be a string of 1 to 200 characters' });
  }
  if (metadata !== undefined) {
    const parsed = MetadataSchema.safeParse(metadata);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        issues.push({
          path: ['metadata', ...issue.path.map(String)].join('.'),
          message: 'metadata values must be strings, numbers, booleans or null',
        });
      }
    }
  }
  const checked = validateGenerationParams(params, {
    defaultModel: config.DEFAULT_MODEL,
    maxPromptLength: config.MAX_PROMPT_LENGTH,
  });
  if (!checked.ok) issues.push(...checked.issues);
  if (issues.length > 0 || !checked.ok) throw new ValidationError(issues);
  return {
    input: checked.value,
    ...(custom_id === undefined ? {} : { customId: custom_id }),
    ...(metadata === undefined ? {} : { metadata }),
  };
}

/** Refuses an Idempotency-Key the API would refuse (400 over HTTP), with the same message. */
export function checkIdempotencyKey(key: string | undefined): void {
  if (key === undefined) return;
  const checked = IdempotencyKeySchema.safeParse(key);
  if (!checked.success) {
    throw new ValidationError(
      checked.error.issues.map((issue) => ({ path: 'idempotency-key', message: issue.message })),
    );
  }
}

/** 409 IDEMPOTENCY_KEY_MISMATCH, as the API answers it. */
export function idempotencyMismatch(): ApiError {
  return new ApiError(
    409,
    'IDEMPOTENCY_KEY_MISMATCH',
    'This Idempotency-Key was already used with a different request body',
  );
}

function notFound(id: string): NotFoundError {
  return new NotFoundError(id, `No video with id ${id}`, 'VIDEO_NOT_FOUND');
}

function queued(view: VideoView): QueuedVideo {
  return { id: view.id, status: view.status, model: view.model, created_at: view.created_at };
}

/** The single-video half of the Redis mode; batches are added by createRedisClient. */
export function redisVideoMethods(ctx: RedisContext): Pick<
  VidqueueClient,
  'enqueue' | 'get' | 'waitFor' | 'cancel'
> & {
  closeEvents(): Promise<void>;
} {
  const ops = createVideoOps({
    redis: ctx.redis,
    queue: ctx.queue,
    keys: ctx.keys,
    guard: (op) => ctx.withRedis(op),
  });
  async function mustLoad(id: string): Promise<LoadedVideo> {
    const found = await ops.load(id);
    if (!found) throw notFound(id);
    return found;
  }
  let events: QueueEvents | undefined;
  // Cancels made through this client wake its own waiters at once (BullMQ has no event for them).
  const local = new EventEmitter();
  local.setMaxListeners(0);
  let eventsConnection: Redis | undefined;
  async function getEvents(): Promise<QueueEvents> {
    if (!events) {
      // QueueEvents blocks on XREAD: it needs its own connection.
      eventsConnection = createRedis(ctx.config.REDIS_URL, 'worker', {
        connectionName: 'vidq-client-events',
      });
      eventsConnection.on('error', () => undefined);
      events = new QueueEvents(GENERATIONS_QUEUE, {
        connection: eventsConnection,
        prefix: ctx.config.QUEUE_PREFIX,
      });
      events.on('error', () => undefined);
    }
    await ctx.withRedis(() => events!.waitUntilReady());
    return events;
  }

  const methods = {
    async enqueue(input: VideoInput, options: EnqueueOptions = {}): Promise<QueuedVideo> {
      const data = ctx.validate(input);
      const key = options.idempotencyKey;
      checkIdempotencyKey(key);
      const enqueued = await ops.enqueue(data, key);
      if (enqueued === 'mismatch') throw idempotencyMismatch();
      if (enqueued === 'unavailable') {
        throw new ApiError(
          409,
          'IDEMPOTENCY_KEY_CONFLICT',
          'This Idempotency-Key was already used, but its video is not available (still being enqueued, or removed); retry shortly or use a new key',
        );
      }
      return queued(enqueued.replayed ? enqueued.view : toVideoView(enqueued.job, 'waiting', false));
    },
    async get(id: string): Promise<VideoView> {
      return (await mustLoad(id)).view;
    },
    waitFor(id: string, options: WaitOptions = {}): Promise<VideoView> {
      return waitLoop(id, options, async (signal) => {
        const queueEvents = await getEvents();
        return new Promise<VideoView>((resolve, reject) => {
          let checking = false;
          let again = false;
          const cleanup = () => {
            queueEvents.off('completed', onEvent);
            queueEvents.off('failed', onEvent);
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
                const done = settle(await methods.get(id));
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
          queueEvents.on('completed', onEvent);
          queueEvents.on('failed', onEvent);
          local.on('cancelled', onEvent);
          if (signal.aborted) return onAbort();
          signal.addEventListener('abort', onAbort, { once: true });
          // After subscribing: a job that finished before the subscription is seen here.
          void check();
        });
      });
    },
    async cancel(id: string): Promise<VideoView> {
      const cancelled = await ops.cancel(id);
      if (!cancelled) throw notFound(id);
      const { view } = cancelled;
      if (cancelled.finished) {
        throw new ApiError(
          409,
          'VIDEO_FINISHED',
          `Video ${id} has already ${view.status} and cannot be cancelled`,
        );
      }
      local.emit('cancelled', { jobId: id });
      return view;
    },
    async closeEvents(): Promise<void> {
      await events?.close();
      eventsConnection?.disconnect();
    },
  };
  return methods;
}
