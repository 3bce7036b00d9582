/**
 * The only code that writes into BullMQ's own keys: a job's hash (`<prefix>:<queue>:<id>`, fields
 * `data` and `priority`), its lock (`<job key>:lock`, holding the worker's token) and its log list
 * (`<job key>:logs`, trimmed to `keepLogs`); and the one place that reads the head of the queue's
 * prioritized set (`<prefix>:<queue>:prioritized`, score `priority * 2^32 + counter`). BullMQ does not promise this layout, so `test/bullmq-job.test.ts` checks it
 * against the installed version: an upgrade that changes it fails that test instead of breaking these
 * writes silently.
 *
 * Why write there at all: the worker's hot path needs a data write that is atomic with a lock check
 * (two runs of one job can never both send a create) and a data write plus its log line in one round
 * trip; BullMQ's API offers neither.
 */
import type { Job, Queue } from 'bullmq';
import { hashTagOf } from '../runtime/redis-topology.js';
import { scripts, type ScriptConnection } from './scripts/index.js';

/** The Redis key of a job's hash (its lock is `<key>:lock`, its log list `<key>:logs`). */
export function jobKey(job: Job<unknown>): string {
  return `${job.queueQualifiedName}:${job.id ?? ''}`;
}

/**
 * `job.updateData(data)`, but atomic with a check that this run still owns the job: false (nothing
 * written) when its lock expired or another worker took the job over (BullMQ's stalled-job recovery
 * after an event-loop stall longer than the lock). The create call is guarded by it, so two runs of one
 * job can never both send a create.
 */
export async function updateDataIfLocked<T>(
  redis: ScriptConnection,
  job: Job<T>,
  token: string,
  data: T,
): Promise<boolean> {
  const key = jobKey(job);
  const written = await scripts['job-update-if-locked'].run(
    redis,
    [`${key}:lock`, key],
    [token, JSON.stringify(data)],
  );
  if (written !== 1) return false;
  job.data = data;
  return true;
}

/**
 * `job.updateData(data)` followed by `job.log(line)` (same keys, same `keepLogs` trimming) in one
 * round trip: the hot path writes a step and its log line together. Without a line (undefined or '')
 * only the data is written, and no log list is made. Throws when the job is gone, like `updateData`.
 *
 * With `priority`, the job's priority field is set in the same write (what `job.changePriority` does
 * to a job that is neither waiting nor prioritized): BullMQ reads it when the job leaves the delayed
 * set, so an active job about to be delayed comes back at that priority (0: the wait list, which
 * workers take before any prioritized job). Only for the active job the caller runs.
 */
export async function updateDataAndLog<T>(
  redis: ScriptConnection,
  job: Job<T>,
  data: T,
  line: string | undefined,
  priority?: number,
): Promise<void> {
  const key = jobKey(job);
  const keepLogs = job.opts.keepLogs;
  const result = await scripts['job-update-and-log'].run(
    redis,
    [key, `${key}:logs`],
    [
      JSON.stringify(data),
      line ?? '',
      keepLogs === undefined ? '' : String(keepLogs),
      priority === undefined ? '' : String(priority),
    ],
  );
  if (result !== 0) throw new Error(`Missing key for job ${job.id ?? ''}. updateData`);
  job.data = data;
  if (priority !== undefined) job.priority = priority;
}

/** Where BullMQ packs a prioritized job's priority in its score: `priority * 2^32 + counter`. */
const PRIORITY_SCORE_SHIFT = 0x1_0000_0000;

/**
 * The priority of the job a worker would take next from the queue's prioritized set (the lowest), or
 * undefined when the set is empty. One ZRANGE on the set's head, whatever its size.
 */
export async function prioritizedHead(
  redis: { zrange(key: string, start: number, stop: number, withScores: 'WITHSCORES'): Promise<string[]> },
  queue: Pick<Queue, 'qualifiedName'>,
): Promise<number | undefined> {
  const head = await redis.zrange(`${queue.qualifiedName}:prioritized`, 0, 0, 'WITHSCORES');
  const score = Number(head[1]);
  return head.length < 2 || !Number.isFinite(score) ? undefined : Math.floor(score / PRIORITY_SCORE_SHIFT);
}

/**
 * Raw reply of `job-run-flags`: cancel exists, pause HGETALL (flat), pause PTTL, back-off PTTL, claimed,
 * model block PTTL (-2: none), model block reason.
 */
export type RunFlagsReply = [number, string[], number, number, number, number, string];

/**
 * One round trip for the flags a worker run obeys (cancel, account pause, back-off, the model's block)
 * and, when `claim` is given, the lock-guarded write of the job's `submitting` data (made only when
 * nothing holds the create back). Empty key names skip a read.
 */
export async function readRunFlags(
  redis: FlagsConnection,
  job: Job<unknown>,
  token: string,
  keys: RunFlagKeys,
  claim: unknown,
): Promise<RunFlagsReply> {
  const key = jobKey(job);
  if (hashTagOf(key) === hashTagOf(keys.cancel)) {
    return runFlagsScript(redis, token, keys, claim === undefined ? undefined : { key, data: claim });
  }
  // A job of another shard than vidqueue's own keys (QUEUE_SHARDS > 1): its keys are in another
  // cluster slot, so the flags are read first and the claim is written after, when nothing holds the
  // create back. Two round trips, the same reply.
  const flags = await runFlagsScript(redis, token, keys, undefined);
  const [cancelled, pause, pausePttl, backoff, , block] = flags;
  const held = cancelled === 1 || (pause.length > 0 && pausePttl !== -2) || backoff > 0 || block !== -2;
  if (claim === undefined || held) return flags;
  const claimed = await updateDataIfLocked(redis, job, token, claim);
  return [flags[0], flags[1], flags[2], flags[3], claimed ? 1 : 0, flags[5], flags[6]];
}

type RunFlagKeys = { cancel: string; accountPause: string; backoff: string; modelBlock?: string };

/** A connection that runs scripts and `EXISTS` (any ioredis connection or Cluster). */
export type FlagsConnection = ScriptConnection & { exists(...keys: string[]): Promise<number> };

/** The reply when no flag is set: nothing holds the run back, nothing claimed. */
const NO_FLAGS: Readonly<RunFlagsReply> = [0, [], -2, -2, 0, -2, ''];

/**
 * One `job-run-flags` call; with `claim`, the job's keys (its hash and lock) must share the flags' slot.
 * Without a claim (a status check, a lookup), one plain `EXISTS` over the flags comes first, and the
 * script runs only when one is set: on the usual path a check costs Redis one command, not a script.
 */
async function runFlagsScript(
  redis: FlagsConnection,
  token: string,
  keys: RunFlagKeys,
  claim: { key: string; data: unknown } | undefined,
): Promise<RunFlagsReply> {
  if (claim === undefined) {
    const flags = [keys.cancel, keys.accountPause, keys.backoff, keys.modelBlock ?? ''].filter(
      (k) => k !== '',
    );
    if ((await redis.exists(...flags)) === 0) return [...NO_FLAGS] as RunFlagsReply;
  }
  const wanted = [
    keys.cancel,
    keys.accountPause,
    keys.backoff,
    claim === undefined ? '' : `${claim.key}:lock`,
    claim === undefined ? '' : claim.key,
    keys.modelBlock ?? '',
  ];
  // A skipped key travels as the cancel flag's name (same prefix, so same cluster slot) and is flagged.
  const skipped = wanted.map((k) => (k === '' ? '1' : '0')).join('');
  return (await scripts['job-run-flags'].run(
    redis,
    wanted.map((k) => (k === '' ? keys.cancel : k)),
    [token, claim === undefined ? '' : JSON.stringify(claim.data), skipped],
  )) as RunFlagsReply;
}
