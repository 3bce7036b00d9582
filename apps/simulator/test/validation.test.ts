import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KEY, MODEL, anyString, startTestSimulator, type TestSimulator } from './helpers.js';

describe('body validation (400 "Body validation error!")', () => {
  let t: TestSimulator;
  beforeEach(async () => {
    t = await startTestSimulator();
  });
  afterEach(async () => {
    await t.close();
  });

  async function issuesFor(body: unknown): Promise<unknown> {
    const answer = await t.create(body);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      message: 'Body validation error!',
      path: '/v2/video/generations',
      requestId: anyString,
      statusCode: 400,
      timestamp: anyString,
    });
    return answer.body.errors;
  }

  it('missing prompt', async () => {
    expect(await issuesFor({ model: MODEL })).toEqual([
      {
        code: 'invalid_type',
        path: ['prompt'],
        message: 'Required',
        expected: 'string',
        received: 'undefined',
      },
    ]);
  });

  it('an empty prompt passes where the schema sets no minimum length; a prompt of the wrong type never', async () => {
    expect((await t.create({ model: MODEL, prompt: '' })).status).toBe(200);
    expect(await issuesFor({ model: 'blackforestlabs/flux-3-video-t2v', prompt: '' })).toEqual([
      {
        code: 'too_small',
        path: ['prompt'],
        message: 'String must contain at least 1 character(s)',
        expected: 'at least 1 character',
        received: "''",
      },
    ]);
    expect(await issuesFor({ model: MODEL, prompt: 42 })).toEqual([
      {
        code: 'invalid_type',
        path: ['prompt'],
        message: 'Expected string, received integer',
        expected: 'string',
        received: 'integer',
      },
    ]);
  });

  it('missing and unknown model (every published video model is listed)', async () => {
    expect(await issuesFor({ prompt: 'p' })).toEqual([
      {
        code: 'invalid_type',
        path: ['model'],
        message: 'Required',
        expected: 'string',
        received: 'undefined',
      },
    ]);
    const [unknown] = (await issuesFor({ model: 'openai/sora-3', prompt: 'p' })) as {
      code: string;
      expected: string;
      received: string;
    }[];
    expect(unknown).toMatchObject({
      code: 'invalid_enum_value',
      path: ['model'],
      received: "'openai/sora-3'",
    });
    const listed = unknown!.expected.split(' | ');
    expect(listed).toHaveLength(66);
    expect(listed).toContain("'sber-ai/kandinsky5-distill-t2v'");
    expect(listed).toContain("'openai/sora-2-t2v'");
    expect(await issuesFor({ model: 7, prompt: 'p' })).toMatchObject([
      { code: 'invalid_type', path: ['model'], expected: 'string', received: 'integer' },
    ]);
  });

  it('aspect ratio outside 3:2, 1:1, 2:3 (the old 16:9 included)', async () => {
    expect(await issuesFor({ model: MODEL, prompt: 'p', aspect_ratio: '16:9' })).toEqual([
      {
        code: 'invalid_enum_value',
        path: ['aspect_ratio'],
        message: "Invalid enum value. Expected '3:2' | '1:1' | '2:3', received '16:9'",
        expected: "'3:2' | '1:1' | '2:3'",
        received: "'16:9'",
      },
    ]);
  });

  it('duration other than 5 or 10, and a duration sent as text', async () => {
    expect(await issuesFor({ model: MODEL, prompt: 'p', duration: 6 })).toEqual([
      {
        code: 'invalid_enum_value',
        path: ['duration'],
        message: 'Invalid enum value. Expected 5 | 10, received 6',
        expected: '5 | 10',
        received: '6',
      },
    ]);
    expect(await issuesFor({ model: MODEL, prompt: 'p', duration: '10' })).toMatchObject([
      { path: ['duration'], expected: '5 | 10', received: "'10'" },
    ]);
  });

  it('non-integer inference steps', async () => {
    expect(await issuesFor({ model: MODEL, prompt: 'p', num_inference_steps: 12.5 })).toEqual([
      {
        code: 'invalid_type',
        path: ['num_inference_steps'],
        message: 'Expected integer, received float',
        expected: 'integer',
        received: 'float',
      },
    ]);
  });

  it('unknown fields', async () => {
    expect(await issuesFor({ model: MODEL, prompt: 'p', seed: 7, negative_prompt: 'blur' })).toEqual([
      {
        code: 'unrecognized_keys',
        path: [],
        message: "Unrecognized key(s) in object: 'seed', 'negative_prompt'",
        expected: 'model, prompt, aspect_ratio, duration, num_inference_steps',
        received: "'seed', 'negative_prompt'",
      },
    ]);
  });

  it('lists every problem at once, and a body that is not an object', async () => {
    const issues = (await issuesFor({ model: MODEL, aspect_ratio: '4:3', duration: 7 })) as {
      path: string[];
    }[];
    expect(issues.map((i) => i.path.join('.'))).toEqual(['prompt', 'aspect_ratio', 'duration']);
    expect(await issuesFor([1, 2])).toEqual([
      {
        code: 'invalid_type',
        path: [],
        message: 'Expected object, received array',
        expected: 'object',
        received: 'array',
      },
    ]);
  });

  it('unparseable JSON', async () => {
    const answer = await t.request('/v2/video/generations', {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: '{"model": ',
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      message: 'Body validation error!',
      errors: [{ received: 'invalid JSON' }],
    });
  });

  it('accepts every documented choice and counts rejections apart from creates', async () => {
    for (const aspect_ratio of ['3:2', '1:1', '2:3']) {
      for (const duration of [5, 10]) {
        const answer = await t.create({
          model: MODEL,
          prompt: 'ok',
          aspect_ratio,
          duration,
          num_inference_steps: 16,
        });
        expect(answer.status).toBe(200);
      }
    }
    expect((await t.create({ model: 'sber-ai/kandinsky5-t2v', prompt: 'slow model' })).status).toBe(200);
    await t.create({ model: MODEL });
    expect(t.sim.stats()).toMatchObject({ create_requests: 8, creates: 7, rejected: { validation: 1 } });
  });
});
