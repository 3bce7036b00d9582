import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CUSTOM_ID_MAX_LENGTH } from '@vidqueue/core/contract';
import { makeApp, type TestApp } from './helpers.js';
import { jobTotal, postBatch, usePrivateTmpdir, type ErrorReply } from './batch-helpers.js';

usePrivateTmpdir();

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.close();
});

describe('one custom_id limit for a video and a batch row', () => {
  it('takes 256 characters and refuses 257, in POST /v1/videos and in a batch file alike', async () => {
    expect(CUSTOM_ID_MAX_LENGTH).toBe(256);
    const longest = 'c'.repeat(256);
    const video = await t.app.inject({
      method: 'POST',
      url: '/v1/videos',
      payload: { prompt: 'a fox', custom_id: longest },
    });
    expect(video.statusCode).toBe(202);
    const tooLong = await t.app.inject({
      method: 'POST',
      url: '/v1/videos',
      payload: { prompt: 'a fox', custom_id: `${longest}x` },
    });
    expect(tooLong.statusCode).toBe(400);
    expect(
      tooLong.json<{ error: { details: { path: string }[] } }>().error.details.map((d) => d.path),
    ).toEqual(['custom_id']);

    expect((await postBatch(t.app, `prompt,custom_id\na fox,${longest}\n`)).statusCode).toBe(202);
    const badRow = await postBatch(t.app, `prompt,custom_id\na fox,${longest}x\n`);
    expect(badRow.statusCode).toBe(422);
    expect(badRow.json<ErrorReply>().error.details?.errors?.[0]).toMatchObject({
      row: 1,
      column: 'custom_id',
    });
    expect(await jobTotal(t.app)).toBe(2);
  });
});
