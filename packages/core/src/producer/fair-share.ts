/**
 * Fair sharing of one deployment through BullMQ priorities (lower is sooner; a job without one, 0,
 * goes before every prioritized job). The producer gives each job its priority here:
 * - a single prompt: SINGLE_PRIORITY, ahead of every batch row;
 * - a batch row: its batch's start level plus one level per FAIR_SHARE_ROWS rows of the batch, so the
 *   rows of batches queued together are taken FAIR_SHARE_ROWS of each in turn. The start level is the
 *   level workers are taking now (the head of the prioritized set): a batch submitted behind another
 *   one runs beside it at once, rather than catching up on the levels the first one has already used.
 * The worker drops a job's priority to 0 once the provider has it (see the submit step), so a status
 * check never waits behind new submissions. FAIR_SHARE_ROWS=0 gives no job a priority (plain FIFO).
 */
import { PRIORITY_LIMIT } from 'bullmq';
import { prioritizedHead } from '../store/bullmq-job.js';
import type { ProducerContext } from './context.js';

/** A single prompt's priority: before every batch row, after every status check. */
export const SINGLE_PRIORITY = 1;

/** The lowest level a batch row gets (so that single prompts stay ahead of it). */
export const FIRST_BATCH_PRIORITY = 2;

/** The most BullMQ accepts; rows past it share it (FIFO among themselves). */
export const MAX_PRIORITY = PRIORITY_LIMIT;

/** A single prompt's job options, or none when fair sharing is off. */
export function singlePriority(ctx: ProducerContext): { priority: number } | Record<string, never> {
  return ctx.config.FAIR_SHARE_ROWS > 0 ? { priority: SINGLE_PRIORITY } : {};
}

/** The priority of the `index`-th row (0-based, in enqueue order) of a batch that starts at `start`. */
export function rowPriority(start: number, index: number, rowsPerLevel: number): number {
  return Math.min(MAX_PRIORITY, start + Math.floor(index / rowsPerLevel));
}

/** Gives the rows of one enqueue (an ingest or a retry) their priorities, in the order they are added. */
export type RowPriorities = (index: number) => number | undefined;

/**
 * The priorities of a batch's rows enqueued from now on: one read of the prioritized set's head (the
 * level workers are taking now), then pure arithmetic per row. All undefined when fair sharing is off.
 */
export async function batchPriorities(ctx: ProducerContext): Promise<RowPriorities> {
  const rowsPerLevel = ctx.config.FAIR_SHARE_ROWS;
  if (rowsPerLevel <= 0) return () => undefined;
  // With shards, each has its own prioritized set: start at the level the least advanced one is taking.
  const heads = await ctx.guard(() =>
    Promise.all(ctx.queue.shards.map((queue) => prioritizedHead(ctx.redis, queue))),
  );
  const taken = heads.filter((h): h is number => h !== undefined);
  const head = taken.length === 0 ? undefined : Math.min(...taken);
  const start = Math.min(MAX_PRIORITY, Math.max(FIRST_BATCH_PRIORITY, head ?? FIRST_BATCH_PRIORITY));
  return (index) => rowPriority(start, index, rowsPerLevel);
}
