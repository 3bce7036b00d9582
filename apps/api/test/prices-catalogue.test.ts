import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { shippedCatalogue } from '@vidqueue/aimlapi';
import { createPriceBook, providerPricedCatalogue, quoteInput, type PriceTable } from '@vidqueue/core/store';
import { chargeFor, findVideoModel, startSimulator, type RunningSimulator } from '@vidqueue/simulator';
import { uniquePrefix } from '@vidqueue/testkit';
import { postBatch } from './batch-helpers.js';
import { makeApp, type TestApp } from './helpers.js';

/**
 * Prices and the catalogue together: a request is priced as the job will send it, with every field it
 * left out filled in from the catalogue's defaults (`effectiveParams`), for every model; a model's own
 * fields that a price depends on (resolution, duration...) count. Checked against what the simulator
 * charges for the same request, over its real priced catalogue.
 */
let sim: RunningSimulator;
let redis: Redis;
let table: PriceTable;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, generationMs: 200 });
  redis = new Redis(inject('redisUrl'));
  const prefix = uniquePrefix('prices-catalogue');
  const book = createPriceBook({
    redis,
    prefix,
    read: providerPricedCatalogue({ baseUrl: sim.url, timeoutMs: 5000 }),
    refreshMs: 60_000,
  });
  const read = await book.table();
  if (read === undefined) throw new Error('the simulator catalogue could not be read');
  table = read;
  await redis.del(`${prefix}:vidq:prices`);
});
afterAll(async () => {
  await sim?.close();
  await redis?.quit();
});

describe('an estimate uses the parameters the job will send', () => {
  it('for every model of the catalogue: a request with no fields is priced at its defaults, as charged', () => {
    const catalogue = shippedCatalogue();
    let priced = 0;
    for (const model of catalogue.models) {
      const schema = findVideoModel(model.id)?.schema;
      if (schema === undefined || !table.byName.has(model.id)) continue;
      const quoted = quoteInput(table, { model: model.id, prompt: 'p' }, catalogue);
      // Unpriced (null) is allowed: a price that cannot be told ahead is never guessed.
      if (quoted === null) continue;
      priced++;
      expect({ model: model.id, usd: quoted }).toEqual({
        model: model.id,
        usd: expect.closeTo(chargeFor(schema, {}).usdSpent, 6) as unknown,
      });
    }
    expect(priced).toBeGreaterThan(30);
  });

  it("a model's own fields that its price depends on are priced: resolution and duration", () => {
    const catalogue = shippedCatalogue();
    const horse = 'alibaba/happyhorse-1-0';
    const q = (params: Record<string, unknown>) => quoteInput(table, { model: horse, ...params }, catalogue);
    // Defaults 1080p and 10 s.
    expect(q({})).toBe(1.6);
    expect(q({ resolution: '720p', duration: 5 })).toBe(0.5);
    expect(q({ resolution: '720p' })).toBe(
      chargeFor(findVideoModel(horse)!.schema, { resolution: '720p' }).usdSpent,
    );
    // A model the catalogue does not offer is unpriced, never 0.
    expect(quoteInput(table, { model: 'acme/video-9' }, catalogue)).toBeNull();
  });
});

describe('a dry run of rows of several models', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp({ AIMLAPI_BASE_URL: sim.url });
  });
  afterAll(() => t?.close());

  it('prices each row by its model with the catalogue defaults, and its model fields', async () => {
    const csv = [
      'prompt,model,duration,resolution',
      'a,,,',
      'b,alibaba/happyhorse-1-0,,',
      'c,alibaba/happyhorse-1-0,5,720p',
      'd,sber-ai/kandinsky5-t2v,10,',
    ].join('\n');
    const res = await postBatch(t.app, csv, 'text/csv', '?dry_run=true');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      total: 4,
      skipped: 0,
      // 0.02 × 5 (default) + (0.16 × 10 at the defaults + 0.1 × 5) + 0.04 × 10.
      estimated_cost_usd: 2.6,
      by_model: [
        { model: 'sber-ai/kandinsky5-distill-t2v', rows: 1, estimated_cost_usd: 0.1, unpriced_rows: 0 },
        { model: 'alibaba/happyhorse-1-0', rows: 2, estimated_cost_usd: 2.1, unpriced_rows: 0 },
        { model: 'sber-ai/kandinsky5-t2v', rows: 1, estimated_cost_usd: 0.4, unpriced_rows: 0 },
      ],
      unpriced_rows: 0,
      prices_as_of: expect.any(String) as unknown,
      balance_usd: null,
    });
  });

  it('a row with a field its model does not take is refused like an upload', async () => {
    const csv = 'prompt,model,resolution\na,sber-ai/kandinsky5-distill-t2v,720p\n';
    const res = await postBatch(t.app, csv, 'text/csv', '?dry_run=true');
    expect(res.statusCode).toBe(422);
    expect(JSON.stringify(res.json())).toContain('resolution');
  });
});
