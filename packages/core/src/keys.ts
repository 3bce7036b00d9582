import { randomBytes } from 'node:crypto';

/** Redis keys vidqueue owns beside BullMQ's, all under the queue prefix. */
export function vidqKeys(prefix: string) {
  const base = `${prefix}:vidq`;
  return {
    /** Set while a user has asked to cancel a job that has not finished. */
    cancel: (jobId: string) => `${base}:cancel:${jobId}`,
    /** Hash {reason, since, status} while provider submissions are paused for an account problem. */
    accountPause: `${base}:account-pause`,
    /** Idempotency-Key -> job id, for POST /v1/videos. */
    idempotency: (key: string) => `${base}:idem:${key}`,
    /** Rate-limiter counters (rate-limiter-flexible), one per kind of provider call. */
    rateLimit: `${base}:rate`,
    /** Set with a TTL after a provider 429: every worker waits before that kind of call. */
    backoff: (kind: 'create' | 'status') => `${base}:backoff:${kind}`,
    /** Sorted set of job ids with a generation at the provider, scored by when the entry expires. */
    inFlight: `${base}:in-flight`,
    /** List of recent generation times (ms) for one model and clip duration, newest first, bounded. */
    durations: (model: string, duration: number | string) => `${base}:durations:${duration}:${model}`,
    /** Hash per metric (counters and histogram buckets) written by workers, read by GET /metrics. */
    metric: (name: string) => `${base}:metric:${name}`,
  };
}

/** Our job ids: BullMQ-safe (no `:`), URL-safe, unguessable. Provider generation ids are never job ids. */
export function newVideoId(): string {
  return `vid_${randomBytes(12).toString('base64url')}`;
}
