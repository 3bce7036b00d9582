/**
 * Queue shards (`QUEUE_SHARDS`): the generations queue split into N BullMQ queues whose keys carry
 * different hash tags, so that on a Redis Cluster they live on different slots, and so on different
 * masters. A BullMQ queue lives in one slot (its scripts touch many of its keys at once): one queue
 * means one master does every job's work, however many masters the cluster has.
 *
 * - Shard 0 is the queue prefix itself (`QUEUE_PREFIX`): with QUEUE_SHARDS=1, today's layout.
 * - Shard i ≥ 1 has the prefix's hash tag followed by `-<k>` (`{vidq}` → `{vidq-3}`), `k` the next
 *   number (counting up from 1) putting that tag's slot in the i-th share of the slot space not taken by shard 0. A cluster
 *   made by `redis-cli --cluster create` gives each master an equal run of slots, so N shards fall on N
 *   different masters when N ≤ masters.
 * - vidqueue's own keys (batches, idempotency, budgets, pauses…) stay under the queue prefix, in
 *   shard 0's slot: no script ever mixes them with a shard's job keys (see readRunFlags).
 * - A job's shard follows from its id: a batch row's from its row number (rows spread round-robin, so
 *   a batch of n rows puts ⌈n/N⌉ or ⌊n/N⌋ on each), anything else from a hash of its id. Lookups try
 *   that shard first, then the others, so a job is found after QUEUE_SHARDS changes too.
 */
import keySlot from 'cluster-key-slot';
import type { JobsOptions, JobState, JobType, Telemetry } from 'bullmq';
import { MAX_QUEUE_SHARDS, hashTagOf } from '../runtime/redis-topology.js';
import type { GenerationJobData } from '../contract/job-data.js';
import type { GenerationJob } from '../contract/video-view.js';
import type { Config } from '../runtime/config.js';
import type { RedisConnection } from '../runtime/connection.js';
import { createGenerationQueue, type GENERATION_JOB_NAME, type GenerationQueue } from './queue.js';

/** Slots of a Redis Cluster. */
export const CLUSTER_SLOTS = 16_384;

/** The tag text a shard's keys hash on: the prefix's hash tag, or the whole prefix when it has none. */
function tagBase(prefix: string): string {
  return hashTagOf(prefix) ?? prefix;
}

function withTag(prefix: string, tag: string): string {
  const base = hashTagOf(prefix);
  return base === undefined ? tag : prefix.replace(`{${base}}`, `{${tag}}`);
}

function shareOf(slot: number, count: number): number {
  return Math.floor((slot * count) / CLUSTER_SLOTS);
}

/** The key prefix of each of `count` shards, shard 0 first (see the file's comment). */
export function shardPrefixes(prefix: string, count: number): string[] {
  if (!Number.isInteger(count) || count < 1 || count > MAX_QUEUE_SHARDS) {
    throw new RangeError(`shard count must be an integer from 1 to ${MAX_QUEUE_SHARDS}, got ${count}`);
  }
  const base = tagBase(prefix);
  const taken = shareOf(keySlot(base), count);
  const prefixes = [prefix];
  let k = 1;
  for (let share = 0; share < count; share += 1) {
    if (share === taken) continue;
    while (shareOf(keySlot(`${base}-${k}`), count) !== share) k += 1;
    prefixes.push(withTag(prefix, `${base}-${k}`));
    k += 1;
  }
  return prefixes;
}

/** The cluster slot every key of a shard's queue hashes to. */
export function shardSlot(shardPrefix: string): number {
  return keySlot(tagBase(shardPrefix));
}

/** `<batchId>-<row>` or `<batchId>-<row>-r<n>` (batch-record.ts' batchJobId): the row number. */
const BATCH_JOB_ID = /^bat_.+-(\d+)(?:-r\d+)?$/;

/** The shard a job id is added to among `count`: a batch row's by its row, any other by a hash. */
export function shardIndexOf(jobId: string, count: number): number {
  if (count <= 1) return 0;
  const row = BATCH_JOB_ID.exec(jobId)?.[1];
  return row === undefined ? keySlot(jobId) % count : (Number(row) - 1) % count;
}

type BulkJob = Parameters<GenerationQueue['addBulk']>[0][number];

/**
 * The generations queue, over its shards: what producers, the API and workers' side jobs do with it,
 * each operation sent to the shard that holds the job (or to every shard for counts).
 */
export class GenerationQueues {
  readonly shards: readonly GenerationQueue[];

  constructor(shards: readonly GenerationQueue[]) {
    if (shards.length === 0) throw new RangeError('at least one shard');
    this.shards = shards;
  }

  /** The shard a job with this id is (or would be) added to. */
  home(jobId: string): GenerationQueue {
    return this.shards[shardIndexOf(jobId, this.shards.length)] as GenerationQueue;
  }

  /** The other shards, in order: where a job added under another QUEUE_SHARDS may be. */
  private elsewhere(jobId: string): GenerationQueue[] {
    const home = this.home(jobId);
    return this.shards.filter((q) => q !== home);
  }

  async getJob(jobId: string): Promise<GenerationJob | undefined> {
    const job = await this.home(jobId).getJob(jobId);
    if (job !== undefined || this.shards.length === 1) return job;
    const found = await Promise.all(this.elsewhere(jobId).map((q) => q.getJob(jobId)));
    return found.find((j) => j !== undefined);
  }

  async getJobState(jobId: string): Promise<JobState | 'unknown'> {
    const state = await this.home(jobId).getJobState(jobId);
    if (state !== 'unknown' || this.shards.length === 1) return state;
    const states = await Promise.all(this.elsewhere(jobId).map((q) => q.getJobState(jobId)));
    return states.find((s) => s !== 'unknown') ?? 'unknown';
  }

  /** Adds to the job id's shard (vidqueue always gives one; without, BullMQ numbers it in shard 0). */
  add(
    name: typeof GENERATION_JOB_NAME,
    data: GenerationJobData,
    opts: JobsOptions = {},
  ): Promise<GenerationJob> {
    const queue = opts.jobId === undefined ? (this.shards[0] as GenerationQueue) : this.home(opts.jobId);
    return queue.add(name, data, opts);
  }

  /** `addBulk` per shard (each one transaction, as BullMQ's), in parallel. Every job needs its id. */
  async addBulk(jobs: readonly BulkJob[]): Promise<void> {
    if (this.shards.length === 1) {
      await (this.shards[0] as GenerationQueue).addBulk(jobs as BulkJob[]);
      return;
    }
    const groups = new Map<GenerationQueue, BulkJob[]>();
    for (const job of jobs) {
      const id = job.opts?.jobId;
      if (id === undefined) throw new TypeError('a sharded addBulk needs every job id');
      const queue = this.home(id);
      const group = groups.get(queue);
      if (group) group.push(job);
      else groups.set(queue, [job]);
    }
    await Promise.all([...groups].map(([queue, group]) => queue.addBulk(group)));
  }

  /**
   * Removes the job from the shard that holds it (BullMQ's `remove`: 0 when it or a dependency is
   * locked, 1 otherwise, a missing job included).
   */
  async remove(jobId: string): Promise<number> {
    return (await this.holder(jobId)).remove(jobId);
  }

  /** The shard holding the job: its home, else the first other one that has it, else its home. */
  private async holder(jobId: string): Promise<GenerationQueue> {
    const home = this.home(jobId);
    if (this.shards.length === 1 || (await home.getJobState(jobId)) !== 'unknown') return home;
    const others = this.elsewhere(jobId);
    const states = await Promise.all(others.map((q) => q.getJobState(jobId)));
    return others[states.findIndex((s) => s !== 'unknown')] ?? home;
  }

  async getJobLogs(jobId: string): Promise<{ logs: string[]; count: number }> {
    return (await this.holder(jobId)).getJobLogs(jobId);
  }

  /** Every shard's jobs in those states (`start`/`end` apply to each shard), shard 0's first. */
  async getJobs(types: JobType | JobType[], start = 0, end = -1): Promise<GenerationJob[]> {
    const each = await Promise.all(this.shards.map((q) => q.getJobs(types, start, end)));
    return each.flat();
  }

  /** BullMQ's `count()` (jobs waiting or delayed, prioritized included) summed over the shards. */
  async count(): Promise<number> {
    return this.sum((q) => q.count());
  }

  async getDelayedCount(): Promise<number> {
    return this.sum((q) => q.getDelayedCount());
  }

  async getFailedCount(): Promise<number> {
    return this.sum((q) => q.getFailedCount());
  }

  async getCompletedCount(): Promise<number> {
    return this.sum((q) => q.getCompletedCount());
  }

  private async sum(read: (q: GenerationQueue) => Promise<number>): Promise<number> {
    const each = await Promise.all(this.shards.map(read));
    return each.reduce((a, b) => a + b, 0);
  }

  /** BullMQ's job counts summed over the shards. */
  async getJobCounts(...types: JobType[]): Promise<Record<string, number>> {
    const each = await Promise.all(this.shards.map((q) => q.getJobCounts(...types)));
    const sum: Record<string, number> = {};
    for (const counts of each) {
      for (const [state, n] of Object.entries(counts)) sum[state] = (sum[state] ?? 0) + n;
    }
    return sum;
  }

  on(event: 'error', listener: (err: Error) => void): this {
    for (const q of this.shards) q.on(event, listener);
    return this;
  }

  /** Deletes every shard's queue and jobs (BullMQ's `obliterate`): tests and operators only. */
  async obliterate(opts?: { force?: boolean; count?: number }): Promise<void> {
    await Promise.all(this.shards.map((q) => q.obliterate(opts)));
  }

  async close(): Promise<void> {
    await Promise.all(this.shards.map((q) => q.close()));
  }
}

/** The generations queue over its QUEUE_SHARDS shards (store/shards.ts), on one connection. */
export function createGenerationQueues(
  connection: RedisConnection,
  config: Parameters<typeof createGenerationQueue>[1] & Pick<Config, 'QUEUE_SHARDS'>,
  options: { telemetry?: Telemetry | undefined } = {},
): GenerationQueues {
  return new GenerationQueues(
    shardPrefixes(config.QUEUE_PREFIX, config.QUEUE_SHARDS).map((prefix) =>
      createGenerationQueue(connection, { ...config, QUEUE_PREFIX: prefix }, options),
    ),
  );
}
