import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from './helpers.js';
import { postBatch, usePrivateTmpdir, type Created } from './batch-helpers.js';
import { MAX_ROW_SCANS } from '../src/routes/batches/rows.js';

// A text that matches nothing scans every row of a batch in Redis: at most MAX_ROW_SCANS such scans run
// at once per API process, so many clients searching a large batch cannot keep Redis busy for everyone.

usePrivateTmpdir();

let t: TestApp;
let id = '';

beforeAll(async () => {
  t = await makeApp({});
  const csv = `prompt\n${Array.from({ length: 20_000 }, (_, i) => `a fox number ${i}`).join('\n')}\n`;
  const created = await postBatch(t.app, csv);
  expect(created.statusCode).toBe(202);
  id = created.json<Created>().id;
});

afterAll(async () => {
  await t.close();
});

describe('GET /v1/batches/:id/rows: filtered scans at once', () => {
  it(`answers 503 TOO_MANY_SEARCHES with Retry-After past ${MAX_ROW_SCANS} scans at once; unfiltered pages are never refused`, async () => {
    const scans = Array.from({ length: MAX_ROW_SCANS + 2 }, () =>
      t.app.inject({ url: `/v1/batches/${id}/rows?q=zebra` }),
    );
    const plain = t.app.inject({ url: `/v1/batches/${id}/rows?limit=5` });
    const answers = await Promise.all(scans);
    const refused = answers.filter((a) => a.statusCode === 503);
    expect(answers.filter((a) => a.statusCode === 200)).toHaveLength(MAX_ROW_SCANS);
    expect(refused).toHaveLength(2);
    expect(refused[0]!.headers['retry-after']).toBe('2');
    expect(refused[0]!.json()).toMatchObject({ error: { code: 'TOO_MANY_SEARCHES' } });
    expect(answers.find((a) => a.statusCode === 200)!.json()).toMatchObject({ rows: [], total: 0 });
    expect((await plain).statusCode).toBe(200);
    // Their places are given back: the next search runs.
    expect((await t.app.inject({ url: `/v1/batches/${id}/rows?q=number%2019999` })).json()).toMatchObject({
      total: 1,
    });
  });
});
