import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';

/** Writes the job's data only while `token` still holds the job's lock. KEYS: lock, job. ARGV: token, data. */
const UPDATE_IF_LOCKED = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
redis.call('HSET', KEYS[2], 'data', ARGV[2])
return 1`;

/**
 * `job.updateData(data)`, but atomic with a check that this run still owns the job: false (nothing
 * written) when its lock expired or another worker took the job over (BullMQ's stalled-job recovery
 * after an event-loop stall longer than the lock). The create call is guarded by it, so two runs of one
 * job can never both send a create.
 */
export async function updateDataIfLocked<T>(
  redis: Redis,
  job: Job<T>,
  token: string,
  data: T,
): Promise<boolean> {
  const key = `${job.queueQualifiedName}:${job.id ?? ''}`;
  const written = await redis.eval(UPDATE_IF_LOCKED, 2, `${key}:lock`, key, token, JSON.stringify(data));
  if (written !== 1) return false;
  job.data = data;
  return true;
}
