import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { API_TOKEN, runNode, startTestStack, type TestStack } from './stack.js';

// Each TypeScript example in examples/, run as a real process against a running stack.
let stack: TestStack;
let dir: string;

beforeAll(async () => {
  stack = await startTestStack();
  dir = await mkdtemp(join(tmpdir(), 'vidq-examples-'));
});

afterAll(async () => {
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('examples/', () => {
  it('one-prompt.ts over HTTP enqueues and waits for the video', async () => {
    const run = await runNode('examples/one-prompt.ts', ['a lighthouse at dusk'], {
      VIDQ_API_URL: stack.api.url,
      VIDQ_TOKEN: API_TOKEN,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^queued vid_\S+ \(http mode\)$/m);
    expect(run.stdout).toMatch(/^completed vid_\S+: http:\/\/\S+\.mp4$/m);
  });

  it('one-prompt.ts straight to Redis does the same', async () => {
    const run = await runNode('examples/one-prompt.ts', ['a fox in snow'], {
      REDIS_URL: inject('redisUrl'),
      QUEUE_PREFIX: stack.config.QUEUE_PREFIX,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^queued vid_\S+ \(redis mode\)$/m);
    expect(run.stdout).toMatch(/^completed vid_\S+: http:\/\/\S+\.mp4$/m);
  });

  it('batch-to-file.ts writes every row, in input order, to a JSONL file', async () => {
    const out = join(dir, 'results.jsonl');
    const run = await runNode('examples/batch-to-file.ts', [out], {
      VIDQ_API_URL: stack.api.url,
      VIDQ_TOKEN: API_TOKEN,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^batch bat_\S+: 4 rows$/m);
    expect(run.stdout).toContain(`wrote 4 rows to ${out}`);
    const rows = (await readFile(out, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { row: number; custom_id: string; status: string; video_url: string });
    expect(rows.map((r) => [r.row, r.custom_id, r.status])).toEqual([
      [1, 'clip-1', 'completed'],
      [2, 'clip-2', 'completed'],
      [3, 'clip-3', 'completed'],
      [4, 'clip-4', 'completed'],
    ]);
    expect(rows.every((r) => r.video_url.endsWith('.mp4'))).toBe(true);
  });
});
