import { videoModelSchemas } from '@vidqueue/provider-schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chargeFor } from '../src/prices.js';
import { startTestSimulator, type TestSimulator } from './helpers.js';
import { fullBody, minimalBody } from './sample-bodies.js';

/** Every one of the 66 published video models can be created and polled to a completed video. */
describe('all published video models', () => {
  let t: TestSimulator;
  beforeAll(async () => {
    t = await startTestSimulator({ generationMs: 30, queuedFraction: 0 });
  });
  afterAll(async () => {
    await t.close();
  });

  it('has 66 of them', () => {
    expect(videoModelSchemas()).toHaveLength(66);
  });

  for (const model of videoModelSchemas()) {
    it(`${model.model}: creates with its required fields, completes, bills its catalogue price`, async () => {
      const body = minimalBody(model);
      const created = await t.create(body);
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      const id = String(created.body.id);
      expect(created.headers.get('x-inference-id')).toBe(id);
      let last = created;
      await expect
        .poll(
          async () => {
            last = await t.check(id);
            return last.body.status;
          },
          { interval: 20, timeout: 5000 },
        )
        .toBe('completed');
      const { model: _model, ...params } = body;
      const charge = chargeFor(model, params);
      expect(last.body).toMatchObject({
        id,
        video: { content_type: 'video/mp4' },
        meta: { usage: { credits_used: charge.creditsUsed, usd_spent: charge.usdSpent } },
      });
      expect(charge.usdSpent).toBeGreaterThan(0);
      expect((await t.create(fullBody(model))).status).toBe(200);
    });
  }
});
