import { mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_TOKEN, runNode, startTestStack, type TestStack } from './stack.js';

const CSV = [
  'custom_id,prompt,duration,campaign',
  'fox,"a red fox in snow, at dawn",5,winter',
  'boat,a paper boat in the rain,5,city',
  ',a lighthouse at dusk,10,coast',
  'koi,koi fish circling in a pond,5,nature',
].join('\n');

let stack: TestStack;
let dir: string;
let vidq: (...args: string[]) => ReturnType<typeof runNode>;

beforeAll(async () => {
  stack = await startTestStack();
  dir = await mkdtemp(join(tmpdir(), 'vidq-cli-'));
  const env = { VIDQ_API_URL: stack.api.url, VIDQ_TOKEN: API_TOKEN };
  vidq = (...args) => runNode('apps/cli/src/main.ts', args, env);
});

afterAll(async () => {
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

type Status = { counts: Record<string, number>; total: number; status: string };

async function status(id: string): Promise<Status> {
  const res = await fetch(`${stack.api.url}/v1/batches/${id}`, {
    headers: { authorization: `Bearer ${API_TOKEN}` },
  });
  return (await res.json()) as Status;
}

// Each case runs the CLI as processes (several seconds each when download.test.ts runs beside it).
describe('vidq against a running API, worker and simulator', { timeout: 90_000 }, () => {
  let batchId: string;

  it('submit --wait prints the id, plain progress lines without a terminal, the summary, and writes every row', async () => {
    const file = join(dir, 'prompts.csv');
    await writeFile(file, CSV);
    const run = await vidq('submit', file, '--wait', '--interval', '200');
    expect(run.code, run.stderr).toBe(0);
    batchId = run.stdout.split('\n')[0]!;
    expect(batchId).toMatch(/^bat_/);
    expect(run.stderr).toMatch(
      /^progress \d+\/4: \d+ completed, \d+ failed, \d+ in flight, \d+ queued \| [\d.]+\/min \| ETA /m,
    );
    expect(run.stderr).toContain('progress 4/4: 4 completed, 0 failed, 0 in flight, 0 queued');
    expect(run.stderr).not.toContain('\u001b['); // no terminal control codes in a pipe
    expect(run.stdout).toContain(`batch ${batchId} completed: 4 rows`);
    expect(run.stdout).toMatch(/cost \$\d+\.\d{4}/);
    const results = (await readFile(join(dir, 'prompts.results.csv'), 'utf8')).trim().split('\n');
    expect(results[0]).toBe(
      'row,custom_id,status,video_url,provider_video_url,archive_status,archive_bytes,archive_sha256,archived_at,error_code,error_message,generation_id,cost_usd,prompt,model,possible_duplicate,generation_ids,campaign',
    );
    expect(results).toHaveLength(5);
    expect(results.slice(1).map((l) => l.split(',').slice(0, 3).join(','))).toEqual([
      '1,fox,completed',
      '2,boat,completed',
      '3,,completed',
      '4,koi,completed',
    ]);
    expect(results[1]).toContain('"a red fox in snow, at dawn"');
  });

  it('status, results as CSV and JSONL', async () => {
    const out = join(dir, 'export.csv');
    // Independent processes: run them side by side.
    const [st, json, jsonl, csv] = await Promise.all([
      vidq('status', batchId),
      vidq('status', batchId, '--json'),
      vidq('results', batchId, '--format', 'jsonl'),
      vidq('results', batchId, '--out', out),
    ]);
    expect(st.code).toBe(0);
    expect(st.stdout).toContain('completed 4, failed 0, cancelled 0, generating 0, queued 0');
    expect(JSON.parse(json.stdout)).toMatchObject({ id: batchId, status: 'completed', total: 4 });

    expect(jsonl.code).toBe(0);
    const rows = jsonl.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { row: number; custom_id: string | null; metadata: unknown });
    expect(rows.map((r) => r.row)).toEqual([1, 2, 3, 4]);
    expect(rows[0]).toMatchObject({ custom_id: 'fox', metadata: { campaign: 'winter' } });

    expect(csv.code).toBe(0);
    expect((await readFile(out, 'utf8')).trim().split('\n')).toHaveLength(5);
  });

  it('download saves valid MP4s named <row>-<custom_id> or <row>, and a second run skips them', async () => {
    const videos = join(dir, 'videos');
    const first = await vidq('download', batchId, '--dir', videos, '--concurrency', '2');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('downloaded 4, skipped 0 (complete already), failed 0');
    const files = (await readdir(videos)).sort();
    expect(files).toEqual(['1-fox.mp4', '2-boat.mp4', '3.mp4', '4-koi.mp4']);
    for (const f of files) {
      const bytes = await readFile(join(videos, f));
      expect(bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');
    }
    const before = (await stat(join(videos, '1-fox.mp4'))).mtimeMs;
    const second = await vidq('download', batchId, '--dir', videos);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('downloaded 0, skipped 4 (complete already), failed 0');
    expect((await stat(join(videos, '1-fox.mp4'))).mtimeMs).toBe(before);
    // An unknown batch fails before the folder is made.
    const nowhere = join(dir, 'no-such-batch');
    const unknown = await vidq('download', 'bat_doesnotexist', '--dir', nowhere);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/bat_doesnotexist/);
    await expect(stat(nowhere)).rejects.toMatchObject({ code: 'ENOENT' });

    // An interrupted file (shorter than the server's Content-Length) is fetched again, whole.
    const size = (await stat(join(videos, '1-fox.mp4'))).size;
    await truncate(join(videos, '1-fox.mp4'), 100);
    const third = await vidq('download', batchId, '--dir', videos);
    expect(third.code).toBe(0);
    expect(third.stdout).toContain('downloaded 1, skipped 3 (complete already), failed 0');
    expect((await stat(join(videos, '1-fox.mp4'))).size).toBe(size);
    expect((await readdir(videos)).filter((f) => f.endsWith('.part'))).toEqual([]);
  });

  it('cancel stops a running batch', async () => {
    stack.simulator.configure({ generationMs: 60_000 });
    try {
      const file = join(dir, 'slow.csv');
      await writeFile(file, 'prompt\na slow one\nanother slow one\n');
      const sub = await vidq('submit', file);
      expect(sub.code).toBe(0);
      const id = sub.stdout.trim();
      const run = await vidq('cancel', id);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain(`batch ${id} cancelled`);
      await expect.poll(async () => (await status(id)).counts.cancelled, { timeout: 15_000 }).toBe(2);
    } finally {
      stack.simulator.configure({ generationMs: 300 });
    }
  });

  it('retry --failed queues the failed rows again', async () => {
    stack.simulator.configure({ createFaults: { fail: 1 } });
    const file = join(dir, 'failing.csv');
    await writeFile(file, 'prompt\nfirst\nsecond\n');
    const sub = await vidq('submit', file, '--wait', '--interval', '200', '--format', 'jsonl');
    stack.simulator.configure({ createFaults: { fail: 0 } });
    expect(sub.code, sub.stderr).toBe(0);
    const id = sub.stdout.split('\n')[0]!;
    expect(sub.stdout).toContain('completed 0, failed 2');
    const failedRows = (await readFile(join(dir, 'failing.results.jsonl'), 'utf8')).trim().split('\n');
    expect(failedRows.map((l) => (JSON.parse(l) as { status: string }).status)).toEqual(['failed', 'failed']);

    const [usage, run] = await Promise.all([vidq('retry', id), vidq('retry', id, '--failed')]);
    expect(usage.code).toBe(2);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('2 failed row(s) queued again');
    await expect.poll(async () => (await status(id)).counts.completed, { timeout: 15_000 }).toBe(2);
  });

  it('resume lifts the account pause after a provider 403, and the kept rows complete', async () => {
    stack.simulator.configure({ createFaults: { out_of_credits: 1 } });
    const file = join(dir, 'credits.csv');
    await writeFile(file, 'prompt\nwhen credits run out\n');
    const sub = await vidq('submit', file);
    expect(sub.code, sub.stderr).toBe(0);
    const id = sub.stdout.split('\n')[0]!;
    const health = async () => (await (await fetch(`${stack.api.url}/healthz`)).json()) as { status: string };
    await expect.poll(async () => (await health()).status, { timeout: 15_000 }).toBe('degraded');
    expect((await status(id)).counts).toMatchObject({ queued: 1, failed: 0 });

    stack.simulator.configure({ createFaults: { out_of_credits: 0 } });
    const run = await vidq('resume');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /^resumed: the pause since .* \(403: .*\) is lifted; 1 waiting job\(s\) go now/,
    );
    expect((await health()).status).toBe('ok');
    // Well before the pause (ACCOUNT_PAUSE_MS, 60 s by default) would have lapsed by itself.
    await expect.poll(async () => (await status(id)).counts.completed, { timeout: 15_000 }).toBe(1);
  });

  it('submit sends an Idempotency-Key by default: re-running it answers the same batch', async () => {
    const file = join(dir, 'rerun.csv');
    await writeFile(file, 'prompt,duration\na lantern on a lake,5\na lantern in the rain,7\n');
    const first = await vidq('submit', file, '--skip-invalid');
    expect(first.code, first.stderr).toBe(0);
    const id = first.stdout.trim();
    expect(id).toMatch(/^bat_/);
    // As after a client timeout: the same command again is the same batch, nothing enqueued twice.
    const again = await vidq('submit', file, '--skip-invalid');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout.trim()).toBe(id);
    expect(again.stderr).toContain(
      `batch ${id}: this file was already submitted (same Idempotency-Key): nothing new queued`,
    );
    expect(again.stderr).not.toContain('rows queued');
    expect((await status(id)).total).toBe(1);

    // Other options that change what is enqueued (the model for rows without one) make another batch.
    const otherModel = await vidq('submit', file, '--skip-invalid', '--model', 'sber-ai/kandinsky5-t2v');
    expect(otherModel.code, otherModel.stderr).toBe(0);
    expect(otherModel.stdout.trim()).not.toBe(id);
    const rows = await fetch(`${stack.api.url}/v1/batches/${otherModel.stdout.trim()}/results`, {
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    expect(
      (await rows.text())
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { model: string }).model),
    ).toEqual(['sber-ai/kandinsky5-t2v']);

    // Changed bytes are another batch.
    await writeFile(file, 'prompt\na lantern on a lake at dawn\n');
    const changed = await vidq('submit', file);
    expect(changed.code, changed.stderr).toBe(0);
    expect(changed.stdout.trim()).not.toBe(id);

    // --idempotency-key overrides the default; --no-idempotency-key sends none (a new batch each time).
    const [named, namedAgain] = [
      await vidq('submit', file, '--idempotency-key', 'nightly-rerun-1'),
      await vidq('submit', file, '--idempotency-key', 'nightly-rerun-1'),
    ];
    expect(named.code, named.stderr).toBe(0);
    expect(namedAgain.stdout.trim()).toBe(named.stdout.trim());
    expect(named.stdout.trim()).not.toBe(changed.stdout.trim());
    const fresh = await vidq('submit', file, '--no-idempotency-key');
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(new Set([fresh.stdout.trim(), changed.stdout.trim(), named.stdout.trim()]).size).toBe(3);
  });

  it('estimate prints the price of a file by model and enqueues nothing', async () => {
    const file = join(dir, 'priced.csv');
    await writeFile(
      file,
      'prompt,model,duration\na,,5\nb,,10\nc,sber-ai/kandinsky5-t2v,5\nd,sber-ai/kandinsky5-t2v,\n',
    );
    const [run, json] = await Promise.all([vidq('estimate', file), vidq('estimate', file, '--json')]);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 5)).toEqual([
      `estimate for ${file}: 4 row(s); nothing was enqueued`,
      '  model                             rows     estimated',
      '  sber-ai/kandinsky5-distill-t2v       2       $0.3000',
      '  sber-ai/kandinsky5-t2v               2       $0.4000',
      '  total                                4       $0.7000',
    ]);
    expect(lines[5]).toMatch(/^ {2}prices as of \d{4}-\d\d-\d\dT.*Z; balance \$\d+\.\d{4}$/);
    expect(JSON.parse(json.stdout)).toMatchObject({ total: 4, estimated_cost_usd: 0.7, unpriced_rows: 0 });
  });

  it('submit --max-cost stops at the cap with the rest paused; set-cap raises it and they complete', async () => {
    const file = join(dir, 'capped.csv');
    await writeFile(
      file,
      `prompt\n${Array.from({ length: 6 }, (_, i) => `capped prompt ${i + 1}`).join('\n')}\n`,
    );
    const sub = await vidq('submit', file, '--max-cost', '0.3', '--wait', '--interval', '200');
    expect(sub.code, sub.stderr).toBe(0);
    const id = sub.stdout.split('\n')[0]!;
    expect(sub.stderr).toContain(`batch ${id}: 6 rows queued (estimated $0.6000; cap $0.3000)`);
    expect(sub.stderr).toMatch(/stopped at its cap after \d+s: 3 row\(s\) paused/);
    expect(sub.stdout).toContain(`batch ${id} paused: 6 rows`);
    expect(sub.stdout).toContain('completed 3, failed 0, cancelled 0, generating 0, queued 0, paused 3');
    expect(sub.stdout).toContain('cost $0.3000 (estimated $0.6000; cap $0.3000, committed $0.3000)');
    expect(sub.stdout).toContain(
      `3 row(s) paused by a spending cap (budget_exceeded): raise it with vidq set-cap ${id} <usd>`,
    );

    const st = await vidq('status', id);
    expect(st.stdout).toMatch(/^ {2}balance \$\d+\.\d{4} \(as of .*\)$/m);
    const raised = await vidq('set-cap', id, '0.6');
    expect(raised.code, raised.stderr).toBe(0);
    expect(raised.stdout).toContain('cap $0.6000');
    expect(raised.stdout).not.toContain('raise it with vidq set-cap');
    // The answer is read right after the paused rows were resumed: those not yet taken by a worker
    // still count as paused, and are said to be resuming (not told to raise the cap again).
    const stillPaused = /, paused (\d+)$/m.exec(raised.stdout)?.[1];
    if (stillPaused !== undefined) {
      expect(raised.stdout).toContain(`${stillPaused} row(s) paused by the old cap: resuming`);
    }
    await expect.poll(async () => (await status(id)).counts.completed, { timeout: 15_000 }).toBe(6);
    const [bad] = await Promise.all([vidq('set-cap', id, 'lots')]);
    expect(bad.code).toBe(2);
  });

  it('a bad file exits 1 with every row error; usage errors exit 2', async () => {
    const file = join(dir, 'bad.csv');
    await writeFile(
      file,
      'prompt,duration,aspect_ratio\nok,5,3:2\nbad duration,7,3:2\n,5,1:1\nbad ratio,5,16:9\n',
    );
    const [run, unknown, noFile, missing] = await Promise.all([
      vidq('submit', file),
      vidq('frobnicate'),
      vidq('submit'),
      vidq('status', 'bat_doesnotexist'),
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /error: 3 error\(s\) in 3 row\(s\); nothing was enqueued.*\(422 INVALID_ROWS\)/,
    );
    expect(run.stderr).toContain('vidq submit --skip-invalid');
    expect(run.stderr).toMatch(/line 3, row 2, column duration: .*5, 10/);
    expect(run.stderr).toMatch(/line 4, row 3, column prompt: /);
    expect(run.stderr).toMatch(/line 5, row 4, column aspect_ratio: .*3:2, 1:1, 2:3/);

    expect(unknown.code).toBe(2);
    expect(noFile.code).toBe(2);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('bat_doesnotexist');
  });
});
