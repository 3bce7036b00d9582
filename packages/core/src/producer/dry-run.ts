/**
 * `POST /v1/batches?dry_run=true` and the SDK's `estimate`: the whole file checked as an upload would be
 * (the same 413/422 refusals), each valid row priced by the provider's catalogue, nothing enqueued and
 * nothing written to Redis (no staging, no key claim, no batch record); only the shared price list may be
 * refreshed on the way.
 */
import { validateBulkFile } from '@vidqueue/bulk';
import type { BatchEstimateView } from '../contract/batch-view.js';
import { readSource, type BatchSource } from './batch-source.js';
import type { ProducerContext } from './context.js';
import { CostTally, priceTable } from './estimate.js';
import { bulkOptionsFor, type IngestOptions } from './ingest-batch.js';
import { refuseUnusable } from './ingest-refusals.js';

export type EstimateOptions = Pick<IngestOptions, 'format' | 'model' | 'onInvalid'>;

export async function estimateBatch(
  ctx: ProducerContext,
  source: BatchSource,
  options: EstimateOptions,
): Promise<BatchEstimateView> {
  const onInvalid = options.onInvalid ?? 'reject';
  const bulk = bulkOptionsFor(ctx, options.format, options.model ?? ctx.config.DEFAULT_MODEL);
  const tally = new CostTally(await priceTable(ctx), ctx.catalogue);
  const checked = await validateBulkFile(readSource(source), {
    ...bulk,
    onEvent: (event) => {
      if (event.kind === 'row') tally.add(event.row.input);
    },
  });
  refuseUnusable({ ...checked, columns: [] }, onInvalid);
  const balance = await ctx.balance.read();
  return {
    total: checked.valid,
    skipped: checked.invalid,
    estimated_cost_usd: tally.estimatedUsd,
    by_model: tally.byModel(),
    unpriced_rows: tally.unpricedRows,
    prices_as_of: tally.pricesAsOf,
    balance_usd: balance.known ? balance.usd : null,
  };
}
