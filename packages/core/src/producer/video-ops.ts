/**
 * Single-video operations shared by the API (`/v1/videos`) and the SDK's Redis mode: the same job ids
 * and data, the same Idempotency-Key claim and replay, the same cancel. Callers turn refusals
 * (`'mismatch'`, `'unavailable'`, `'finished'`) into their own errors; every Redis call goes through
 * the caller's `guard` (timeouts, "Redis unavailable"), as in `createBatchOps`.
 */
import type { Redis } from 'ioredis';
import type { Guard } from './batch-ops.js';
import { CANCEL_TTL_SECONDS, IDEMPOTENCY_TTL_SECONDS, requestFingerprint } from '../contract/idempotency.js';
import type { GenerationJobData, NewGenerationJobData } from '../contract/job-data.js';
import { newVideoId, type vidqKeys } from '../contract/keys.js';
import { GENERATION_JOB_NAME, type GenerationQueue } from '../store/queue.js';
import {
  isFinished,
  toVideoView,
  type GenerationJob,
  type JobStateName,
  type VideoView,
} from '../contract/video-view.js';

/** How long a repeated Idempotency-Key waits for the first request's job to appear. */
export const IDEMPOTENCY_WAIT_MS = 1_000;

export type VideoOpsDeps = {
  redis: Redis;
  queue: GenerationQueue;
  keys: ReturnType<typeof vidqKeys>;
  guard: Guard;
};

export type LoadedVideo = { job: GenerationJob; state: JobStateName; view: VideoView };

/** What `enqueue` did: added a job, or found the one made for an earlier use of the key. */
export type Enqueued =
  | { replayed: false; id: string; job: GenerationJob }
  | { replayed: true; id: string; view: VideoView }
  /** The key was used with a different request. */
  | 'mismatch'
  /** The key was used, but its video did not appear within IDEMPOTENCY_WAIT_MS (or was removed). */
  | 'unavailable';

export type VideoOps = ReturnType<typeof createVideoOps>;

export function createVideoOps(deps: VideoOpsDeps) {
  const { redis, queue, keys, guard } = deps;

  async function load(id: string): Promise<LoadedVideo | undefined> {
    // State first, then the job: BullMQ sets a job's state and its failedReason/returnvalue in one
    // script, so a job read after its state is never older than that state (the other order could
    // show `failed` without the reason).
    const [state, cancel] = await guard(() =>
      Promise.all([queue.getJobState(id), redis.exists(keys.cancel(id))]),
    );
    if (state === 'unknown') return undefined;
    const job = (await guard(() => queue.getJob(id))) as GenerationJob | undefined;
    if (!job) return undefined; // removed between the two reads
    return { job, state, view: toVideoView(job, state, cancel === 1) };
  }

  function add(id: string, data: NewGenerationJobData): Promise<GenerationJob> {
    // Job data follows job-data.ts: progress fields start absent; the worker fills them.
    return guard(() => queue.add(GENERATION_JOB_NAME, data as GenerationJobData, { jobId: id }));
  }

  /** The video made for an earlier request with the same key. */
  async function replay(redisKey: string, data: NewGenerationJobData): Promise<Enqueued> {
    const deadline = Date.now() + IDEMPOTENCY_WAIT_MS;
    for (;;) {
      const id = await guard(() => redis.get(redisKey));
      const found = id === null ? undefined : await load(id);
      if (found) {
        if (requestFingerprint(found.job.data) !== requestFingerprint(data)) return 'mismatch';
        return { replayed: true, id: found.view.id, view: found.view };
      }
      // The first request may be between claiming the key and adding its job.
      if (Date.now() >= deadline) return 'unavailable';
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  return {
    load,

    /**
     * Adds one generation job under a new video id. With an Idempotency-Key, the first use claims it
     * (NX, IDEMPOTENCY_TTL_SECONDS) and a repeat gets the first request's video instead of a new job.
     */
    async enqueue(data: NewGenerationJobData, idempotencyKey?: string): Promise<Enqueued> {
      const id = newVideoId();
      if (idempotencyKey === undefined) return { replayed: false, id, job: await add(id, data) };
      const redisKey = keys.idempotency(idempotencyKey);
      const claimed = await guard(() => redis.set(redisKey, id, 'EX', IDEMPOTENCY_TTL_SECONDS, 'NX'));
      if (claimed === null) return replay(redisKey, data);
      try {
        return { replayed: false, id, job: await add(id, data) };
      } catch (err) {
        // Free the key so a retry can enqueue; if Redis is gone the key stays and a retry gets 409.
        await redis.del(redisKey).catch(() => undefined);
        throw err;
      }
    },

    /**
     * Asks the worker to stop a video (a flag it reads at the job's next step; a delayed job is run
     * at once so that step comes now). Undefined when there is no such video; `finished` (and nothing
     * done) when it has already completed or failed; else its view after the request.
     */
    async cancel(id: string): Promise<{ finished: boolean; view: VideoView } | undefined> {
      const found = await load(id);
      if (!found) return undefined;
      const { job, state, view } = found;
      if (view.status === 'cancelled') return { finished: false, view };
      if (isFinished(state)) return { finished: true, view };
      await guard(() => redis.set(keys.cancel(id), String(Date.now()), 'EX', CANCEL_TTL_SECONDS));
      if (state === 'delayed') {
        try {
          await guard(() => job.promote());
        } catch (err) {
          // Refused because the job moved on (a worker took it): nothing to do. Still delayed: a
          // real failure (Redis), which the caller must see.
          if (await guard(() => job.isDelayed())) throw err;
        }
      }
      const after = await load(id);
      return after && { finished: false, view: after.view };
    },
  };
}
