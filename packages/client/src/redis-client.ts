import { EventEmitter } from 'node:events';
import { QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { validateGenerationParams, type ValidationIssue } from '@vidqueue/aimlapi';
import {
  CANCEL_TTL_SECONDS,
  GENERATION_JOB_NAME,
  GENERATIONS_QUEUE,
  IDEMPOTENCY_TTL_SECONDS,
  MetadataSchema,
  createGenerationQueue,
  createRedis,
  isFinished,
  loadConfig,
  newVideoId,
  requestFingerprint,
  toVideoView,
  vidqKeys,
  type Config,
  type GenerationJob,
  type GenerationJobData,
  type GenerationQueue,
  type JobStateName,
  type NewGenerationJobData,
  type VideoView,
} from '@vidqueue/core';
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

type Loaded = { job: GenerationJob; state: JobStateName; view: VideoView };

async function load(ctx: RedisContext, id: string): Promise<Loaded | undefined> {
  // State first, then the job: BullMQ finishes a job atomically, so a job read after a `failed` or
  // `completed` state already has its failedReason or return value (the other order can see `failed`
  // with a hash read just before the reason was written).
  const [state, cancel] = await ctx.withRedis(() =>
    Promise.all([ctx.queue.getJobState(id), ctx.redis.exists(ctx.keys.cancel(id))]),
  );
  if (state === 'unknown') return undefined;
  const job = (await ctx.withRedis(() => ctx.queue.getJob(id))) as GenerationJob | undefined;
  if (!job) return undefined;
  return { job, state, view: toVideoView(job, state, cancel === 1) };
}

async function mustLoad(ctx: RedisContext, id: string): Promise<Loaded> {
  const found = await load(ctx, id);
  if (!found) throw new NotFoundError(id, `No video with id ${id}`, 'VIDEO_NOT_FOUND');
  return found;
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
      const id = newVideoId();
      const key = options.idempotencyKey;
      if (key !== undefined) {
        if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
          throw new ValidationError([
            {
              path: 'idempotency-key',
              message: 'must be 1 to 255 printable ASCII characters without spaces',
            },
          ]);
        }
        const redisKey = ctx.keys.idempotency(key);
        const claimed = await ctx.withRedis(() =>
          ctx.redis.set(redisKey, id, 'EX', IDEMPOTENCY_TTL_SECONDS, 'NX'),
        );
        if (claimed === null) return queued(await replay(ctx, redisKey, data));
        try {
          return queued(await add(ctx, id, data));
        } catch (err) {
          await ctx.redis.del(redisKey).catch(() => undefined);
          throw err;
        }
      }
      return queued(await add(ctx, id, data));
    },
    async get(id: string): Promise<VideoView> {
      return (await mustLoad(ctx, id)).view;
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
      const { job, state, view } = await mustLoad(ctx, id);
      if (view.status === 'cancelled') return view;
      if (isFinished(state)) {
        throw new ApiError(
          409,
          'VIDEO_FINISHED',
          `Video ${id} has already ${view.status} and cannot be cancelled`,
        );
      }
      await ctx.withRedis(() =>
        ctx.redis.set(ctx.keys.cancel(id), String(Date.now()), 'EX', CANCEL_TTL_SECONDS),
      );
      if (state === 'delayed') {
        // Run it now so the worker sees the flag and fails it as `cancelled` promptly.
        await ctx
          .withRedis(() => job.promote())
          .catch((err: unknown) => {
            if (err instanceof UnavailableError) throw err;
          });
      }
      const after = (await mustLoad(ctx, id)).view;
      local.emit('cancelled', { jobId: id });
      return after;
    },
    async closeEvents(): Promise<void> {
      await events?.close();
      eventsConnection?.disconnect();
    },
  };
  return methods;
}

async function add(ctx: RedisContext, id: string, data: NewGenerationJobData): Promise<VideoView> {
  const job = await ctx.withRedis(() =>
    ctx.queue.add(GENERATION_JOB_NAME, data as GenerationJobData, { jobId: id }),
  );
  return toVideoView(job, 'waiting', false);
}

async function replay(ctx: RedisContext, redisKey: string, data: NewGenerationJobData): Promise<VideoView> {
  const deadline = Date.now() + 1_000;
  for (;;) {
    const id = await ctx.withRedis(() => ctx.redis.get(redisKey));
    const found = id === null ? undefined : await load(ctx, id);
    if (found) {
      if (requestFingerprint(found.job.data) !== requestFingerprint(data)) {
        throw new ApiError(
          409,
          'IDEMPOTENCY_KEY_MISMATCH',
          'This Idempotency-Key was already used with a different request body',
        );
      }
      return found.view;
    }
    if (Date.now() >= deadline) {
      throw new ApiError(
        409,
        'IDEMPOTENCY_KEY_CONFLICT',
        'This Idempotency-Key was already used, but its video is not available (still being enqueued, or removed); retry shortly or use a new key',
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
