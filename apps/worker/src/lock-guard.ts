import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { luaScript } from './lua.js';

/** The Redis key of a job's hash (its lock is `<key>:lock`, its log list `<key>:logs`). */
export function jobKey(job: Job<unknown>): string {
  return `${job.queueQualifiedName}:${job.id ?? ''}`;
}

/** Writes the job's data only while `token` still holds the job's lock. KEYS: lock, job. ARGV: token, data. */
const UPDATE_IF_LOCKED = luaScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
redis.call('HSET', KEYS[2], 'data', ARGV[2])
return 1`);

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
  const key = jobKey(job);
  const written = await UPDATE_IF_LOCKED(redis, [`${key}:lock`, key], [token, JSON.stringify(data)]);
  if (written !== 1) return false;
  job.data = data;
  return true;
}

/** BullMQ's updateData then addLog, in one script. KEYS: job, logs. ARGV: data, log line, keepLogs ('' = all). */
const UPDATE_AND_LOG = luaScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
redis.call('HSET', KEYS[1], 'data', ARGV[1])
local count = redis.call('RPUSH', KEYS[2], ARGV[2])
if ARGV[3] ~= '' then redis.call('LTRIM', KEYS[2], -tonumber(ARGV[3]), -1) end
return 0`);

/**
 * `job.updateData(data)` followed by `job.log(line)` (same keys, same `keepLogs` trimming) in one
 * round trip: the hot path writes a step and its log line together. Throws when the job is gone, like
 * `updateData`.
 */
export async function updateDataAndLog<T>(redis: Redis, job: Job<T>, data: T, line: string): Promise<void> {
  const key = jobKey(job);
  const keepLogs = job.opts.keepLogs;
  const result = await UPDATE_AND_LOG(
    redis,
    [key, `${key}:logs`],
    [JSON.stringify(data), line, keepLogs === undefined ? '' : String(keepLogs)],
  );
  if (result !== 0) throw new Error(`Missing key for job ${job.id ?? ''}. updateData`);
  job.data = data;
}
