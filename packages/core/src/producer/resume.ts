import type { RedisConnection } from '../runtime/connection.js';
import type { Guard } from './redis-guard.js';
import type { GenerationQueues } from '../store/shards.js';

export type ResumeResult = {
  /** True when submissions were paused and now are not. */
  resumed: boolean;
  /** The pause that was lifted, if any. */
  previous_pause: { reason: string; status: number | null; since: string } | null;
  /** Delayed jobs not yet submitted that were promoted to go now. */
  promoted: number;
};

const PAGE = 500;

/**
 * Lifts the account-wide submission pause that workers set after a provider 401/403, and promotes
 * the jobs waiting to be submitted so they go at once instead of when their delay ends. Jobs between
 * status checks are left alone, so resuming does not burst status calls. Used by
 * `POST /v1/admin/resume` and by the SDK's Redis mode (`vidq resume` goes through the API).
 */
export async function resumeSubmissions(deps: {
  redis: RedisConnection;
  queue: GenerationQueues;
  /** `vidqKeys(prefix).accountPause`. */
  pauseKey: string;
  guard?: Guard;
  onPromoteError?: (err: unknown, jobId: string | undefined) => void;
}): Promise<ResumeResult> {
  const { redis, queue } = deps;
  const guard: Guard = deps.guard ?? ((op) => op());
  const key = deps.pauseKey;
  const [fields] = await guard(() => Promise.all([redis.hgetall(key), redis.del(key)] as const));
  const paused = Object.keys(fields).length > 0;
  const status = Number(fields.status);
  const since = Number(fields.since);
  const previous = paused
    ? {
        reason: fields.reason ?? 'account problem',
        status: Number.isInteger(status) && status > 0 ? status : null,
        since: new Date(Number.isFinite(since) && since > 0 ? since : Date.now()).toISOString(),
      }
    : null;

  // Jobs delayed by the pause (or a create back-off) still have step `pending`.
  let promoted = 0;
  for (const shard of queue.shards) {
    for (let start = 0; ; start += PAGE) {
      const jobs = await guard(() => shard.getDelayed(start, start + PAGE - 1));
      for (const job of jobs) {
        if ((job.data.step ?? 'pending') !== 'pending') continue;
        try {
          await guard(() => job.promote());
          promoted += 1;
          start -= 1; // it left the delayed set: the next page starts one earlier
        } catch (err) {
          // It moved on by itself meanwhile (a worker took it): nothing to do.
          deps.onPromoteError?.(err, job.id);
        }
      }
      if (jobs.length < PAGE) break;
    }
  }
  return { resumed: paused, previous_pause: previous, promoted };
}
