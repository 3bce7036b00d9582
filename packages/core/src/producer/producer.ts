/**
 * The producer: every way work enters vidqueue, in one object. The API's routes and the SDK's Redis
 * mode are thin adapters over it: they pass requests in and turn `ProducerError`s into their own
 * answers (an HTTP status and body, or the SDK's typed errors).
 */
import type { RedisConnection } from '../runtime/connection.js';
import { withSpan } from '@vidqueue/telemetry';
import type { Catalogue } from '@vidqueue/aimlapi';
import type { GenerationQueues } from '../store/shards.js';
import { listBatches, listBatchRows, type ListBatchesOptions, type ListRowsOptions } from './batch-browse.js';
import {
  cancelBatch,
  getBatch,
  openBatchResults,
  retryBatch,
  updateBatch,
  type ResultsOptions,
} from './batch-ops.js';
import type { BatchSource } from './batch-source.js';
import {
  createProducerContext,
  type ProducerConfig,
  type ProducerContext,
  type ProducerExtras,
} from './context.js';
import { estimateBatch, type EstimateOptions } from './dry-run.js';
import { ingestBatch, type IngestOptions } from './ingest-batch.js';
import { createRedisGuard, type RedisGuard, type RedisGuardOptions } from './redis-guard.js';
import { resumeSubmissions } from './resume.js';
import { exportBatchResults, type ResultsFormat } from './results-export.js';
import { cancelVideo, enqueueVideo, getVideo, loadVideo } from './video-ops.js';

export type ProducerDeps = {
  /** A producer connection (`createRedis(url, 'producer')`): fails fast while Redis is down. */
  redis: RedisConnection;
  /** The generations queue on that connection. */
  queue: GenerationQueues;
  config: ProducerConfig;
  /** The guard every Redis call runs through; made from `guardOptions` when not given. */
  guard?: RedisGuard;
  guardOptions?: RedisGuardOptions;
  /** The models requests are checked against (default: the shipped catalogue). */
  catalogue?: Catalogue | undefined;
} & ProducerExtras;

export type Producer = ReturnType<typeof createProducer>;

export function createProducer(deps: ProducerDeps) {
  const guard = deps.guard ?? createRedisGuard(deps.redis, deps.guardOptions);
  const ctx: ProducerContext = createProducerContext({ ...deps, guard });
  return {
    /** The context the operations share (keys, guard, batch store), for adapters' own reads. */
    ctx,
    guard,
    /**
     * Validates and queues one prompt; with an Idempotency-Key a repeat answers the first video.
     * Span `vidq.enqueue` (video id, model, replayed; never the prompt), parent of BullMQ's `add`.
     */
    enqueueVideo: (input: unknown, options?: { idempotencyKey?: string | undefined }) =>
      withSpan('vidq.enqueue', {}, async (span) => {
        const enqueued = await enqueueVideo(ctx, input, options);
        span?.setAttributes({
          'vidq.video_id': enqueued.video.id,
          'vidq.model': enqueued.video.model,
          'vidq.replayed': enqueued.replayed,
        });
        return enqueued;
      }),
    /** The video's public view (VIDEO_NOT_FOUND). */
    getVideo: (id: string) => getVideo(ctx, id),
    /** The video's job, state and view, or undefined. */
    loadVideo: (id: string) => loadVideo(ctx, id),
    cancelVideo: (id: string) => cancelVideo(ctx, id),
    /** Checks a whole file of prompts, then records and enqueues it as one batch. */
    /** Span `vidq.ingest_batch` (batch id, rows), parent of BullMQ's `addBulk` of every chunk. */
    ingestBatch: (source: BatchSource, options: IngestOptions) =>
      withSpan('vidq.ingest_batch', {}, async (span) => {
        const ingested = await ingestBatch(ctx, source, options);
        span?.setAttributes({
          'vidq.batch_id': ingested.batch.id,
          'vidq.batch_total': ingested.batch.total,
          'vidq.replayed': ingested.replayed,
        });
        return ingested;
      }),
    /** A dry run: checks the whole file and prices it; nothing is enqueued. */
    estimateBatch: (source: BatchSource, options: EstimateOptions) => estimateBatch(ctx, source, options),
    /** Sets or removes the batch's spending cap and resumes its paused rows. */
    updateBatch: (id: string, patch: { maxCostUsd: number | null }) => updateBatch(ctx, id, patch),
    /** The account balance (unknown without a provider key). */
    balance: () => ctx.balance.read(),
    getBatch: (id: string) => getBatch(ctx, id),
    /** The most recent batches first, a page at a time (`next_cursor`). */
    listBatches: (options?: ListBatchesOptions) => listBatches(ctx, options),
    /** One page of a batch's rows, filtered by status and text (BATCH_NOT_FOUND). */
    listBatchRows: (id: string, options?: ListRowsOptions) => listBatchRows(ctx, id, options),
    /** The batch and its rows in input order, read as they are consumed. */
    openBatchResults: (id: string, options?: ResultsOptions) => openBatchResults(ctx, id, options),
    /** The results export (JSONL or CSV) as a stream. */
    exportBatchResults: (id: string, format: ResultsFormat, options?: ResultsOptions) =>
      exportBatchResults(ctx, id, format, options),
    cancelBatch: (id: string) => cancelBatch(ctx, id),
    retryBatch: (id: string, only?: 'failed') => retryBatch(ctx, id, only),
    /** Lifts the account pause workers set after a provider 401/403. */
    resume: (options: { onPromoteError?: (err: unknown, jobId: string | undefined) => void } = {}) =>
      resumeSubmissions({
        redis: deps.redis,
        queue: deps.queue,
        pauseKey: ctx.keys.accountPause,
        guard,
        ...options,
      }),
  };
}
