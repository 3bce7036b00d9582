import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from './helpers.js';
import { jobTotal, postBatch, usePrivateTmpdir, type Created, type ErrorReply } from './batch-helpers.js';

usePrivateTmpdir();

/** Batch files mixing models: each row's model decides which columns are its parameters. */
let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.close();
});

const KANDINSKY = 'sber-ai/kandinsky5-distill-t2v';
const VEO = 'google/veo-3.1-t2v';
const KLING = 'kling-video/v1.6/pro/text-to-video';
const HEADER = 'prompt,model,duration,resolution,generate_audio,cfg_scale,seed,campaign\n';

describe('POST /v1/batches with three models in one CSV', () => {
  it("enqueues each row with exactly its model's fields; empty cells are the model's default", async () => {
    const csv =
      HEADER +
      `a fox,,10,,,,,spring\n` +
      `a boat,${VEO},4,720p,false,,42,spring\n` +
      `a city,${KLING},,,,0.5,,summer\n`;
    const res = await postBatch(t.app, csv);
    expect(res.statusCode).toBe(202);
    const { id } = res.json<Created>();
    const jobs = await Promise.all([1, 2, 3].map((row) => t.app.queue.getJob(`${id}-${row}`)));
    expect(jobs.map((j) => [j?.data.input, j?.data.metadata])).toEqual([
      [{ model: KANDINSKY, prompt: 'a fox', duration: 10 }, { campaign: 'spring' }],
      [
        { model: VEO, prompt: 'a boat', duration: 4, resolution: '720p', generate_audio: false, seed: 42 },
        { campaign: 'spring' },
      ],
      [{ model: KLING, prompt: 'a city', cfg_scale: 0.5 }, { campaign: 'summer' }],
    ]);
    // Parameter columns are never metadata: the results export keeps only the metadata column.
    const results = await t.app.inject({ method: 'GET', url: `/v1/batches/${id}/results?format=csv` });
    expect(results.body.split('\n')[0]).toMatch(/,campaign$/);
  });

  it('refuses the file naming the row, the column, the model and its allowed values; nothing is enqueued', async () => {
    const csv =
      HEADER +
      `a fox,,10,,,,,spring\n` +
      `a boat,${VEO},4,4k,,,,spring\n` +
      `a city,${KLING},,,,1.5,,summer\n` +
      `a tree,,5,720p,,,,summer\n`;
    const res = await postBatch(t.app, csv);
    expect(res.statusCode).toBe(422);
    const { error } = res.json<ErrorReply>();
    expect(error.code).toBe('INVALID_ROWS');
    expect(error.details?.errors).toEqual([
      {
        line: 3,
        row: 2,
        column: 'resolution',
        message: `resolution must be one of 720p, 1080p for model ${VEO} (got "4k")`,
      },
      {
        line: 4,
        row: 3,
        column: 'cfg_scale',
        message: `cfg_scale must be a number from 0 to 1 for model ${KLING} (got "1.5")`,
      },
      {
        line: 5,
        row: 4,
        column: 'resolution',
        message: `resolution is not a field of model ${KANDINSKY} (its fields: model, prompt, aspect_ratio, duration, num_inference_steps)`,
      },
    ]);
    expect(await jobTotal(t.app)).toBe(0);
  });

  it('takes the same rows as JSONL, with JSON types', async () => {
    const jsonl = [
      { prompt: 'a boat', model: VEO, resolution: '1080p', generate_audio: true, seed: 7 },
      { prompt: 'a city', model: KLING, cfg_scale: 0.25, metadata: { campaign: 'x' } },
    ]
      .map((r) => JSON.stringify(r))
      .join('\n');
    const res = await postBatch(t.app, jsonl, 'application/x-ndjson');
    expect(res.statusCode).toBe(202);
    const { id } = res.json<Created>();
    expect((await t.app.queue.getJob(`${id}-1`))?.data.input).toEqual({
      model: VEO,
      prompt: 'a boat',
      resolution: '1080p',
      generate_audio: true,
      seed: 7,
    });
  });
});
