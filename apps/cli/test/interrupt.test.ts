import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, type BatchResultRow, type VidqueueClient } from '@vidqueue/client/http';
import { startCdn, type Cdn } from './cdn.js';
import { API_TOKEN, ROOT, startTestStack, type TestStack } from './stack.js';

/** A running `vidq` process whose output is collected as it comes. */
type Running = { child: ChildProcess; out: { stdout: string; stderr: string }; done: Promise<number | null> };

function start(args: string[], env: Record<string, string>): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/cli/src/main.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, FORCE_COLOR: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const done = once(child, 'close').then(([code]) => code as number | null);
  return { child, out, done };
}

let stack: TestStack;
let cdn: Cdn;
let vq: VidqueueClient;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  stack = await startTestStack();
  dir = await mkdtemp(join(tmpdir(), 'vidq-interrupt-'));
  vq = createHttpClient({ apiUrl: stack.api.url, token: API_TOKEN });
  const video = Buffer.from(await (await fetch(`${stack.simulator.url}/files/sample.mp4`)).arrayBuffer());
  cdn = await startCdn(video);
  env = { VIDQ_API_URL: stack.api.url, VIDQ_TOKEN: API_TOKEN };
});

afterAll(async () => {
  await vq?.close();
  await cdn?.close();
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('Ctrl-C (SIGINT) leaves nothing half-done and says where things stand', { timeout: 90_000 }, () => {
  it('download: the file being fetched is stopped, its .part removed; a re-run fetches only that one', async () => {
    stack.simulator.configure({ publicUrl: cdn.origin });
    const file = join(dir, 'two.csv');
    await writeFile(file, 'custom_id,prompt\nwhole,one\nstalled,two\n');
    const { id, total } = await vq.uploadBatch(file);
    await expect.poll(async () => (await vq.getBatch(id)).counts.completed, { timeout: 20_000 }).toBe(total);
    const rows: BatchResultRow[] = [];
    for await (const row of vq.results(id)) rows.push(row);
    const stalled = new URL(rows[1]!.video_url!).pathname;
    cdn.behaviours.set(stalled, { kind: 'stall' });

    const out = join(dir, 'videos');
    const run = start(['download', id, '--dir', out, '--concurrency', '1'], env);
    await expect.poll(() => cdn.requests.includes(stalled), { timeout: 20_000 }).toBe(true);
    await expect
      .poll(async () => (await readdir(out)).some((f) => f.endsWith('.part')), { timeout: 10_000 })
      .toBe(true);
    run.child.kill('SIGINT');
    expect(await run.done, run.out.stderr).toBe(130);
    expect(await readdir(out)).toEqual(['1-whole.mp4']);
    expect(run.out.stderr).toContain('saved 1-whole.mp4');
    expect(run.out.stderr).toMatch(/interrupted: .*\.part removed.*Run the same command again/);
    expect(run.out.stdout).toMatch(/^downloaded 1, skipped 0 \(complete already\), failed 0,/);

    cdn.behaviours.set(stalled, { kind: 'ok' });
    const again = start(['download', id, '--dir', out], env);
    expect(await again.done, again.out.stderr).toBe(0);
    expect(again.out.stdout).toMatch(/^downloaded 1, skipped 1 \(complete already\), failed 0,/);
    expect((await readdir(out)).sort()).toEqual(['1-whole.mp4', '2-stalled.mp4']);
  });

  it('submit --wait: the batch keeps running on the server and the message says how to follow it', async () => {
    stack.simulator.configure({ generationMs: 60_000 });
    try {
      const file = join(dir, 'slow.csv');
      await writeFile(file, 'prompt\na slow one\nanother slow one\n');
      const run = start(['submit', file, '--wait', '--interval', '200'], env);
      await expect.poll(() => /^bat_\S+\n/.test(run.out.stdout), { timeout: 20_000 }).toBe(true);
      await expect.poll(() => run.out.stderr.includes('progress '), { timeout: 20_000 }).toBe(true);
      run.child.kill('SIGINT');
      expect(await run.done, run.out.stderr).toBe(130);
      const id = run.out.stdout.trim();
      expect(run.out.stderr).toContain(`interrupted: batch ${id} is queued and keeps running on the server`);
      expect(run.out.stderr).toContain(`vidq status ${id}`);
      expect(await readdir(dir)).not.toContain('slow.results.csv');
      const batch = await vq.getBatch(id);
      expect(batch.counts.completed + batch.counts.cancelled).toBe(0);
      await vq.cancelBatch(id);
    } finally {
      stack.simulator.configure({ generationMs: 300 });
    }
  });

  it('submit: stopped before the API answered, it says the batch may exist and how to resume safely', async () => {
    // An API that takes the upload and never answers.
    const received: IncomingMessage[] = [];
    const silent: Server = createServer((req) => {
      received.push(req);
      req.resume();
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const file = join(dir, 'unanswered.csv');
      await writeFile(file, 'prompt\na fox\n');
      const api = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      const run = start(['--api', api, 'submit', file], { VIDQ_TOKEN: API_TOKEN });
      await expect.poll(() => received.length, { timeout: 20_000 }).toBe(1);
      run.child.kill('SIGINT');
      expect(await run.done, run.out.stderr).toBe(130);
      expect(run.out.stdout).toBe('');
      expect(run.out.stderr).toContain('interrupted before the API answered');
      expect(run.out.stderr).toContain('Run the same command again: its Idempotency-Key answers that batch');
      expect(run.out.stderr).not.toMatch(/unreachable|Error:|\n\s+at /);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
});

describe('what a user gets wrong, and rows that wait', { timeout: 90_000 }, () => {
  const vidq = async (args: string[], extra: Record<string, string> = {}) => {
    const run = start(args, { ...env, ...extra });
    const code = await run.done;
    return { code, ...run.out };
  };

  it('a file that cannot be read is named as such, never as the API being unreachable', async () => {
    const missing = join(dir, 'nope.csv');
    for (const args of [
      ['submit', missing],
      ['submit', missing, '--no-idempotency-key'],
      ['estimate', missing],
    ]) {
      const run = await vidq(args);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(`error: cannot read ${missing}: no such file or directory\n`);
    }
    const folder = await vidq(['estimate', dir]);
    expect(folder.stderr).toBe(`error: cannot read ${dir}: is a directory, not a file\n`);
  });

  it('results --out: an unknown batch leaves no file behind; a missing folder is named', async () => {
    const out = join(dir, 'unknown.results.csv');
    const run = await vidq(['results', 'bat_doesnotexist', '--out', out]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('error: No batch with id bat_doesnotexist\n');
    expect((await readdir(dir)).filter((f) => f.startsWith('unknown.results'))).toEqual([]);

    const { id } = await vq.enqueueMany([{ prompt: 'a row to export' }]);
    const nowhere = join(dir, 'no-such-folder', 'r.csv');
    const unwritable = await vidq(['results', id, '--out', nowhere]);
    expect(unwritable.code).toBe(1);
    expect(unwritable.stderr).toBe(`error: cannot write ${nowhere}: no such file or directory\n`);
  });

  it('--api with a password in it: usage error (2), the password never printed', async () => {
    const api = stack.api.url.replace('http://', 'http://admin:hunter2-secret@');
    const run = await vidq(['--api', api, 'status', 'bat_x']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('must not hold a user name or password');
    expect(run.stdout + run.stderr).not.toContain('hunter2-secret');
    const env2 = await vidq(['status', 'bat_x'], { VIDQ_API_URL: 'localhost:3000' });
    expect(env2.code).toBe(2);
  });

  it('webhooks list without --video or --batch is a usage error (2)', async () => {
    const run = await vidq(['webhooks', 'list']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('give --video <id> or --batch <id>');
  });

  it('download counts rows paused by a spending cap as not finished, not as having no video', async () => {
    stack.simulator.configure({ publicUrl: stack.simulator.url });
    const file = join(dir, 'capped.csv');
    await writeFile(file, 'prompt\none\ntwo\nthree\n');
    const { id, estimated_cost_usd } = await vq.uploadBatch(file, { maxCostUsd: 0.1 });
    expect(estimated_cost_usd).toBeGreaterThan(0.1);
    await expect.poll(async () => (await vq.getBatch(id)).status, { timeout: 20_000 }).toBe('paused');
    const { counts } = await vq.getBatch(id);
    const run = await vidq(['download', id, '--dir', join(dir, 'capped')]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(
      `downloaded ${counts.completed}, skipped 0 (complete already), failed 0, not finished ${counts.paused}, no video 0\n`,
    );
    expect(await readdir(join(dir, 'capped'))).toHaveLength(counts.completed);
    await vq.cancelBatch(id);
  });
});
