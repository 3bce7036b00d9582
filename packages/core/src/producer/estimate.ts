/**
 * What rows cost by the provider's catalogue, summed the way a dry run shows it and a batch records it:
 * in integer micro-dollars, by model, with the rows whose price cannot be told counted apart (never as 0).
 */
import type { Catalogue } from '@vidqueue/aimlapi';
import type { BatchEstimateView } from '../contract/batch-view.js';
import { fromMicroUsd, toMicroUsd } from '../contract/budget.js';
import { quoteInput, type PriceTable } from '../store/price-book.js';
import type { ProducerContext } from './context.js';

type ModelSum = { rows: number; unpriced: number; micro: number };

/** A running sum of rows' prices, one `add` per row. */
export class CostTally {
  private readonly models = new Map<string, ModelSum>();
  private micro = 0;
  private priced = 0;
  rows = 0;
  unpricedRows = 0;

  /** `catalogue`: the models whose defaults fill in what a row left out (the producer's own). */
  constructor(
    private readonly table: PriceTable | undefined,
    private readonly catalogue?: Catalogue,
  ) {}

  /** Adds one row and answers its price (USD), or null when it is unpriced. */
  add(input: Readonly<{ model: string } & Record<string, unknown>>): number | null {
    const usd = quoteInput(this.table, input, this.catalogue);
    let sum = this.models.get(input.model);
    if (!sum) this.models.set(input.model, (sum = { rows: 0, unpriced: 0, micro: 0 }));
    sum.rows++;
    this.rows++;
    if (usd === null) {
      sum.unpriced++;
      this.unpricedRows++;
    } else {
      const micro = toMicroUsd(usd);
      sum.micro += micro;
      this.micro += micro;
      this.priced++;
    }
    return usd;
  }

  /** The priced rows' sum in USD, or null when no row is priced. */
  get estimatedUsd(): number | null {
    return this.priced === 0 ? null : fromMicroUsd(this.micro);
  }

  /** Models in order of first appearance. */
  byModel(): BatchEstimateView['by_model'] {
    return [...this.models].map(([model, sum]) => ({
      model,
      rows: sum.rows,
      estimated_cost_usd: sum.rows === sum.unpriced ? null : fromMicroUsd(sum.micro),
      unpriced_rows: sum.unpriced,
    }));
  }

  /** When the prices were last confirmed by the provider, or null without any. */
  get pricesAsOf(): string | null {
    return this.table === undefined ? null : new Date(this.table.checkedAt).toISOString();
  }
}

/** The current price table (possibly stale, or none when the catalogue was never read). */
export function priceTable(ctx: ProducerContext): Promise<PriceTable | undefined> {
  return ctx.prices.table();
}
