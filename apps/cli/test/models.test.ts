import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCatalogueFile } from '@vidqueue/aimlapi';
import { API_TOKEN, runNode, startTestStack, type TestStack } from './stack.js';

let stack: TestStack;
let dir: string;
const vidq = (args: string[], env: Record<string, string> = {}) =>
  runNode('apps/cli/src/main.ts', args, {
    VIDQ_API_URL: stack.api.url,
    VIDQ_TOKEN: API_TOKEN,
    AIMLAPI_KEY: '',
    AIMLAPI_BASE_URL: '',
    CATALOGUE_FILE: '',
    ...env,
  });

beforeAll(async () => {
  stack = await startTestStack();
  dir = await mkdtemp(join(tmpdir(), 'vidq-models-'));
});
afterAll(async () => {
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('vidq models', { timeout: 90_000 }, () => {
  it('lists every model with its fields, the default marked', async () => {
    const run = await vidq(['models']);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(
      '64 models (* default: sber-ai/kandinsky5-distill-t2v); fields besides prompt. vidq models <id> shows one.',
    );
    expect(lines).toHaveLength(65);
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^\* sber-ai\/kandinsky5-distill-t2v +aspect_ratio, duration, num_inference_steps$/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^ {2}google\/veo-3\.1-t2v +aspect_ratio, duration, resolution, generate_audio, seed, /,
      ),
    );
  });

  it("shows one model's fields: type, allowed values, default, description; and what is not offered", async () => {
    const run = await vidq(['models', 'minimax/hailuo-02']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^minimax\/hailuo-02\n/);
    expect(run.stdout).toMatch(/\n {2}prompt +string +text, at most 2000 chars +required +The text/);
    expect(run.stdout).toMatch(/\n {2}resolution +string +768P \| 1080P +default 768P +/);
    expect(run.stdout).toMatch(/\n {2}duration +integer +6 \| 10 +- +/);
    expect(run.stdout).toMatch(/\n {2}enhance_prompt +boolean +true \| false +default true +/);
    expect(run.stdout).toContain('not offered: image_url: an image input: vidqueue sends text prompts only');
    expect(run.stdout).toContain(
      'generation time: 6 s clip ≈ 72 s, 10 s clip ≈ 120 s (a guess until learned)',
    );

    const json = await vidq(['models', 'kling-video/v1.6/pro/text-to-video', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      id: 'kling-video/v1.6/pro/text-to-video',
      parameters: { cfg_scale: { type: 'number', minimum: 0, maximum: 1 } },
    });
    const unknown = await vidq(['models', 'acme/nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown model "acme/nope"; vidq models lists them');
  });
});

describe('vidq models update', { timeout: 90_000 }, () => {
  it("writes the provider's catalogue (the simulator's /v1/models and docsJson), aliases and overlay included", async () => {
    const out = join(dir, 'catalogue.json');
    const run = await vidq(['models', 'update', '--base-url', stack.simulator.url, '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(
      "AIMLAPI_KEY is not set: asking without a key (the provider's catalogue needs none)",
    );
    expect(run.stdout).toContain(
      `fetched 64 text-to-video models from ${stack.simulator.url}/v1/models?capabilities=text_to_video (2 excluded)`,
    );
    expect(run.stdout).toContain('  excluded alibaba/wan-2-6-r2v: requires video_urls');
    expect(run.stdout).toContain('the same models and fields as the shipped catalogue');
    expect(run.stdout).toContain(`wrote ${out}: restart the API and the worker to use it`);
    const catalogue = readCatalogueFile(out)!;
    expect(catalogue.data.source).toMatchObject({ kind: 'provider' });
    expect(catalogue.ids).toHaveLength(64);
    // The simulator's alias for Kandinsky matches it; the overlay's label and measured times stay.
    expect(catalogue.get('kandinsky5-distill-t2v')).toMatchObject({
      id: 'sber-ai/kandinsky5-distill-t2v',
      aliases: ['kandinsky5-distill-t2v'],
      label: 'Kandinsky 5 Video Lite (distilled)',
      expectedSeconds: { '5': 45, '10': 70 },
    });
    expect(catalogue.get('google/veo3')?.source).toBe(`${stack.simulator.url}/docs-json/google/veo3.json`);
  });

  it('says so and writes nothing without a network (exit 1), keeping the catalogue in use', async () => {
    const out = join(dir, 'unreachable.json');
    // A port nobody listens on: one the system just gave out and took back.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const run = await vidq(['models', 'update', '--out', out], {
      AIMLAPI_BASE_URL: `http://127.0.0.1:${port}`,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `vidq models update: could not reach http://127.0.0.1:${port}/v1/models?capabilities=text_to_video (ECONNREFUSED)`,
    );
    expect(run.stderr).toContain(
      `nothing written: ${out} is unchanged, and the API and the worker keep the shipped catalogue (docs snapshot 2026-08-21): 64 models, 2 excluded`,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('says the key is missing when the provider refuses the request without one (exit 1), keeping an existing file', async () => {
    const server: Server = createServer((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"message":"Unauthorized"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const out = join(dir, 'existing.json');
    await writeFile(out, await readFile(join(dir, 'catalogue.json')));
    const before = await readFile(out, 'utf8');
    try {
      const run = await vidq(['models', 'update', '--base-url', url, '--out', out]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        `${url}/v1/models?capabilities=text_to_video answered 401 (no key was sent: set AIMLAPI_KEY)`,
      );
      expect(run.stderr).toMatch(
        /the API and the worker keep the catalogue fetched from http:\/\/127\.0\.0\.1:\d+\/v1\/models/,
      );
      expect(await readFile(out, 'utf8')).toBe(before);
    } finally {
      server.close();
    }
  });
});
