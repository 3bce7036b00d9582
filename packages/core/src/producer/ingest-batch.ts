/**
 * One batch ingest for every way a file comes in (an upload to `POST /v1/batches`, the SDK's
 * `enqueueMany` rows or `uploadBatch` file): the whole file is checked (and its rows' requests staged)
 * before anything is enqueued, then the batch is recorded and its jobs added from the staged requests,
 * a chunk at a time, with bounded memory.
 */
import { randomUUID } from 'node:crypto';
import { validateGenerationParams } from '@vidqueue/aimlapi';
import type { BulkOptions } from '@vidqueue/bulk';
import type { BatchFormat } from '../contract/batch-record.js';
import { toCreatedBatchView, type CreatedBatchView } from '../contract/batch-view.js';
import { newBatchId } from '../contract/keys.js';
import { metadataIssues } from '../contract/metadata-limits.js';
import { CUSTOM_ID_MAX_LENGTH } from '../contract/video-request.js';
import { batchFingerprint, claimBatchKey, findBatchReplay } from './batch-idempotency.js';
import { requireBatch } from './batch-ops.js';
import { sourceSha256, type BatchSource } from './batch-source.js';
import type { ProducerContext } from './context.js';
import { CostTally, priceTable } from './estimate.js';
import { enqueueRows, validateAndStage } from './ingest-passes.js';
import { MAX_LISTED_ERRORS, refuseUnusable } from './ingest-refusals.js';
import { checkBalance, refuseUnpricedUnderCap } from './spend-checks.js';
import { checkIdempotencyKey } from './validate-video.js';
import type { WebhookTarget } from '../contract/webhook-target.js';
import { checkWebhookTarget } from './webhook-address.js';

export type IngestOptions = {
  format: BatchFormat;
  /** Model for rows that name none (default DEFAULT_MODEL). */
  model?: string | undefined;
  /** `reject` (default): any bad row refuses the file; `skip`: enqueue the valid rows, report the others. */
  onInvalid?: 'reject' | 'skip' | undefined;
  idempotencyKey?: string | undefined;
  /** The batch's spending cap in USD: rows that would pass it wait (`paused`) until it is raised. */
  maxCostUsd?: number | undefined;
  /** Enqueue even when the estimate is more than the account balance. */
  ignoreBalance?: boolean | undefined;
  /** The batch's `webhook_url` / `webhook_events`: saved before any row is enqueued, so every event finds it. */
  webhook?: WebhookTarget | undefined;
};

/** How rows of an upload are read and checked: the same for a dry run and an ingest. */
export function bulkOptionsFor(ctx: ProducerContext, format: BatchFormat, model: string): BulkOptions {
  const { config, catalogue } = ctx;
  return {
    format,
    defaultModel: model,
    // A row's fields as written (CSV text, JSON values) against its model; the request to send.
    validateParams: (input) =>
      validateGenerationParams(input, { catalogue, mode: 'text', maxPromptLength: config.MAX_PROMPT_LENGTH }),
    paramNames: catalogue.fieldNames,
    validateMetadata: metadataIssues,
    limits: {
      maxBytes: config.MAX_UPLOAD_BYTES,
      maxRows: config.MAX_BATCH_ROWS,
      maxPromptLength: config.MAX_PROMPT_LENGTH,
      maxCustomIdLength: CUSTOM_ID_MAX_LENGTH,
    },
  };
}

/** The created batch; `replayed` when an earlier request with the same key had made it. */
export type IngestedBatch = { replayed: boolean; batch: CreatedBatchView };

/**
 * 1. With an Idempotency-Key seen before for the same file and a batch fully enqueued: that batch
 *    (`replayed`), nothing written. 2. Pass one: validate every row, staging the valid rows' requests
 *    and pricing each; a refused file throws (413/422 codes, see `ingest-refusals.ts`) and its staged
 *    rows are dropped. 3. The money checks (`spend-checks.ts`): unpriced rows under a cap, then the
 *    estimate against the balance (not for a resumed upload: its rows may already be spending it).
 * 4. Claim the key (or take the batch id an earlier request claimed: a resume), create the record
 *    with its estimate and cap, save its webhook target, adopt the staged requests (a worker always
 *    finds a row's request), pass two reads them back and adds the jobs (the file is parsed once),
 *    then the batch is marked enqueued.
 */
export async function ingestBatch(
  ctx: ProducerContext,
  source: BatchSource,
  options: IngestOptions,
): Promise<IngestedBatch> {
  const { config, keys, guard, store, staging } = ctx;
  const key = options.idempotencyKey;
  checkIdempotencyKey(key);
  checkWebhookTarget(options.webhook, config.WEBHOOK_ALLOW_PRIVATE);
  const onInvalid = options.onInvalid ?? 'reject';
  const model = options.model ?? config.DEFAULT_MODEL;
  const sha256 = await sourceSha256(source);
  const maxCostUsd = options.maxCostUsd;
  const fingerprint = batchFingerprint(sha256, { format: options.format, model, onInvalid, maxCostUsd });
  const idemKey = key === undefined ? undefined : keys.batchIdempotency(key);
  if (idemKey !== undefined) {
    const replay = await findBatchReplay(ctx, idemKey, fingerprint);
    if (replay) return { replayed: true, batch: replay };
  }

  const bulk = bulkOptionsFor(ctx, options.format, model);
  const tally = new CostTally(await priceTable(ctx), ctx.catalogue);
  const stagingId = `stage_${randomUUID()}`;
  let staged = true;
  try {
    const checked = await validateAndStage(ctx, source, bulk, stagingId, onInvalid === 'reject', (row) =>
      tally.add(row.input),
    );
    refuseUnusable(checked, onInvalid);
    refuseUnpricedUnderCap(tally, {
      own: maxCostUsd === undefined ? undefined : { kind: 'batch', usd: maxCostUsd },
      dailyUsd: config.SPEND_LIMIT_USD_PER_DAY,
    });
    const resuming = idemKey !== undefined && (await guard(() => ctx.redis.exists(idemKey))) === 1;
    if (!options.ignoreBalance && !resuming) await checkBalance(ctx, tally);

    const batchId =
      idemKey === undefined ? newBatchId() : await claimBatchKey(ctx, idemKey, newBatchId(), fingerprint);
    await guard(() =>
      store.create({
        id: batchId,
        total: checked.valid,
        skipped: checked.invalid,
        format: options.format,
        columns: checked.columns,
        ...(key === undefined ? {} : { idempotencyKey: key }),
        sha256,
        ...(maxCostUsd === undefined ? {} : { maxCostUsd }),
        estimatedCostUsd: tally.estimatedUsd,
        unpricedRows: tally.unpricedRows,
      }),
    );
    if (options.webhook) {
      const target = JSON.stringify(options.webhook);
      await guard(() =>
        ctx.redis.set(ctx.keys.batchWebhook(batchId), target, 'EX', ctx.config.BATCH_TTL_SECONDS),
      );
    }
    await guard.bulk(() => store.adoptRows(stagingId, batchId));
    staged = false;
    const added = await enqueueRows(ctx, batchId, checked.total);
    if (added !== checked.valid) {
      // The staged requests went missing (expired, deleted by hand): the batch stays partly enqueued.
      throw new Error(`batch ${batchId}: ${added} of its ${checked.valid} rows' requests found in Redis`);
    }
    await guard.bulk(() => store.markEnqueued(batchId, checked.columns));
    const batch = await requireBatch(ctx, batchId);
    const skippedRows = checked.invalid > 0 ? checked.errors.slice(0, MAX_LISTED_ERRORS) : undefined;
    return { replayed: false, batch: toCreatedBatchView(batch, skippedRows) };
  } finally {
    if (staged) await staging.dropRows(stagingId).catch(() => undefined);
  }
}
