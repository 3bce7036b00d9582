/**
 * The jobs of a batch's rows and what the batch store keeps for each: the same job ids and data for a
 * first run (`<batchId>-<row>`, added by ingest) and a retry (`<batchId>-<row>-r<n>`).
 */
import { batchJobId, type BatchRowCarry, type BatchRowInput } from '../contract/batch-record.js';
import type { GenerationJobData, NewGenerationJobData } from '../contract/job-data.js';
import { GENERATION_JOB_NAME, type GenerationQueue } from '../store/queue.js';

/** A valid row of an upload: its 1-based row number and its request. */
export type BatchRowSource = BatchRowInput & { row: number };

export type BatchJob = Parameters<GenerationQueue['addBulk']>[0][number];

/** A row's request as a new object (built field by field, no spread copies: ingest makes one per row). */
function request(r: BatchRowInput): BatchRowInput {
  const out: BatchRowInput = { input: r.input };
  if (r.customId !== undefined) out.customId = r.customId;
  if (r.metadata !== undefined) out.metadata = r.metadata;
  return out;
}

/** What the batch store keeps for a row (`addRows`). */
export function batchRowRequest(r: BatchRowSource): { row: number; request: BatchRowInput } {
  return { row: r.row, request: request(r) };
}

/**
 * The first job of a row from its stored request: id `<batchId>-<row>` (adding it twice is a no-op in
 * BullMQ), at `priority` (see fair-share.ts; none when fair sharing is off). The job data is built as
 * one object (no spread copies): ingest makes one per row.
 */
export function batchRowJob(
  batchId: string,
  row: number,
  stored: BatchRowInput,
  priority?: number,
): BatchJob {
  // Job data follows job-data.ts; progress fields start absent. request() makes a new object: one per row.
  const data: Record<string, unknown> = request(stored);
  data.batchId = batchId;
  data.row = row;
  return {
    name: GENERATION_JOB_NAME,
    data: data as GenerationJobData,
    opts: { jobId: batchJobId(batchId, row), ...(priority === undefined ? {} : { priority }) },
  };
}

/**
 * The job of a retried row (`attempt` ≥ 1), from its stored request and what its earlier attempts left
 * (`retryCarry`): flagged `possibleDuplicate` when one of them may have made a billed generation (an
 * unknown create outcome, a generation past its deadline...), with their generation ids.
 */
export function retryRowJob(
  batchId: string,
  row: number,
  attempt: number,
  stored: BatchRowInput,
  carry: BatchRowCarry | undefined,
  priority?: number,
): BatchJob {
  const data: NewGenerationJobData = {
    ...request(stored),
    batchId,
    row,
    step: 'pending',
    polls: 0,
    retries: 0,
    ...(carry?.possible_duplicate === true ? { possibleDuplicate: true } : {}),
    ...(carry?.generation_ids !== undefined ? { priorGenerationIds: carry.generation_ids } : {}),
  };
  return {
    name: GENERATION_JOB_NAME,
    data: data as GenerationJobData,
    opts: { jobId: batchJobId(batchId, row, attempt), ...(priority === undefined ? {} : { priority }) },
  };
}
