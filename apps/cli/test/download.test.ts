import { mkdtemp, readdir, readFile, rm, truncate, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, type BatchResultRow, type VidqueueClient } from '@vidqueue/client/http';
import { startCdn, type Cdn, type CdnBehaviour } from './cdn.js';
import { API_TOKEN, runNode, startTestStack, type TestStack } from './stack.js';

let stack: TestStack;
let cdn: Cdn;
let vq: VidqueueClient;
let video: Buffer;
let dir: string;
let vidq: (...args: string[]) => ReturnType<typeof runNode>;

beforeAll(async () => {
  stack = await startTestStack();
  dir = await mkdtemp(join(tmpdir(), 'vidq-download-'));
  vq = createHttpClient({ apiUrl: stack.api.url, token: API_TOKEN });
  video = Buffer.from(await (await fetch(`${stack.simulator.url}/files/sample.mp4`)).arrayBuffer());
  cdn = await startCdn(video);
  const env = { VIDQ_API_URL: stack.api.url, VIDQ_TOKEN: API_TOKEN };
  vidq = (...args) => runNode('apps/cli/src/main.ts', args, env);
});

afterAll(async () => {
  await vq?.close();
  await cdn?.close();
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

type Batch = { id: string; rows: BatchResultRow[] };

/** Submits a CSV and waits until every row has finished; video URLs point at the CDN or the simulator. */
async function batch(csv: string, videoHost: 'cdn' | 'simulator'): Promise<Batch> {
  stack.simulator.configure({ publicUrl: videoHost === 'cdn' ? cdn.origin : stack.simulator.url });
  const file = join(dir, `batch-${Date.now()}.csv`);
  await writeFile(file, csv);
  const { id, total } = await vq.uploadBatch(file);
  await expect.poll(async () => (await vq.getBatch(id)).counts.completed, { timeout: 15_000 }).toBe(total);
  const rows: BatchResultRow[] = [];
  for await (const row of vq.results(id)) rows.push(row);
  return { id, rows };
}

/** Sets what the CDN does for each row's video URL. */
function behave(batch: Batch, byRow: Record<number, CdnBehaviour>): void {
  for (const row of batch.rows) {
    const path = new URL(row.video_url!).pathname;
    cdn.behaviours.set(path, byRow[row.row] ?? { kind: 'ok' });
  }
}

/** Every file in a directory, a leftover `.part` included, sorted; none when it does not exist. */
async function filesIn(where: string): Promise<string[]> {
  return (await readdir(where).catch(() => [] as string[])).sort();
}

/** Every file is the whole video. */
async function expectComplete(where: string, names: string[]): Promise<void> {
  for (const name of names) expect((await readFile(join(where, name))).equals(video), name).toBe(true);
}

const LONG_ID = `${'ビデオ'.repeat(85)}x`; // 256 characters (the limit), 766 bytes of UTF-8

// Each case runs the CLI as a process (a few seconds each when both cores are busy).
describe('vidq download', { timeout: 90_000 }, () => {
  let named: Batch;
  let cdnRows: Batch;

  it('one file per row: colliding ids, an id equal to another row number and a 256-character id', async () => {
    named = await batch(
      ['custom_id,prompt', 'a b,one', 'a_b,two', ',three', '3,four', `${LONG_ID},five`].join('\n'),
      'simulator',
    );
    const out = join(dir, 'named');
    const run = await vidq('download', named.id, '--dir', out);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(
      'downloaded 5, skipped 0 (complete already), failed 0, not finished 0, no video 0\n',
    );
    const files = await filesIn(out);
    expect(files).toHaveLength(5);
    expect(files.slice(0, 4)).toEqual(['1-a_b.mp4', '2-a_b.mp4', '3.mp4', '4-3.mp4']);
    expect(files[4]).toMatch(/^5-(ビデオ)+(ビ|ビデ)?~[0-9a-f]{10}\.mp4$/);
    expect(Buffer.byteLength(files[4]!)).toBeLessThanOrEqual(100);
    await expectComplete(out, files);
  });

  it('a re-run skips only complete files: a deleted one and a cut one are fetched again', async () => {
    const out = join(dir, 'named');
    await unlink(join(out, '2-a_b.mp4'));
    await truncate(join(out, '4-3.mp4'), 100);
    const run = await vidq('download', named.id, '--dir', out);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(
      'downloaded 2, skipped 3 (complete already), failed 0, not finished 0, no video 0\n',
    );
    expect(run.stderr).toContain('saved 2-a_b.mp4 (4528 bytes)');
    expect(run.stderr).toContain('skipped 1-a_b.mp4 (complete already)');
    const files = await filesIn(out);
    expect(files).toHaveLength(5);
    await expectComplete(out, files);
  });

  it('two downloads of the same batch into the same directory at once both end with whole files', async () => {
    cdnRows = await batch(
      ['custom_id,prompt', 'fox,a fox', 'boat,a boat', ',a lighthouse'].join('\n'),
      'cdn',
    );
    behave(cdnRows, { 1: { kind: 'slow' }, 2: { kind: 'slow' }, 3: { kind: 'slow' } });
    const out = join(dir, 'parallel');
    const id = cdnRows.id;
    const runs = await Promise.all([vidq('download', id, '--dir', out), vidq('download', id, '--dir', out)]);
    for (const run of runs) {
      expect(run.code, run.stderr).toBe(0);
      const [, downloaded, skipped] = /^downloaded (\d+), skipped (\d+) .*, failed 0,/.exec(run.stdout)!;
      expect(Number(downloaded) + Number(skipped)).toBe(3);
    }
    expect(await filesIn(out)).toEqual(['1-fox.mp4', '2-boat.mp4', '3.mp4']); // no .part left
    await expectComplete(out, await filesIn(out));
  });

  it('a redirect to the metadata service or the private network is refused; the message has no token', async () => {
    behave(cdnRows, {
      1: {
        kind: 'redirect',
        location: 'http://169.254.169.254/latest/meta-data/iam/security-credentials/?X-Amz-Signature=s3cr3t',
      },
      2: { kind: 'redirect', location: 'http://10.0.0.7/v.mp4?token=s3cr3t' },
    });
    const out = join(dir, 'redirects');
    const run = await vidq('download', cdnRows.id, '--dir', out);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(
      [
        'downloaded 1, skipped 0 (complete already), failed 2, not finished 0, no video 0',
        `  failed row 1 (1-fox.mp4): blocked_address: 169.254.169.254 is not a public address (linkLocal); the redirect came from 127.0.0.1:${cdn.port}`,
        `  failed row 2 (2-boat.mp4): blocked_address: 10.0.0.7 is not a public address (private); the redirect came from 127.0.0.1:${cdn.port}`,
        '',
      ].join('\n'),
    );
    expect(run.stderr).toContain('failed row 1 (1-fox.mp4): blocked_address');
    expect(run.stdout + run.stderr).not.toContain('s3cr3t');
    expect(await filesIn(out)).toEqual(['3.mp4']);
  });

  it('only --allow-private-addresses lets a video reach beyond the API’s own range (0.0.0.0 is this machine)', async () => {
    behave(cdnRows, { 1: { kind: 'redirect', location: `http://0.0.0.0:${cdn.port}/whole.mp4` } });
    const out = join(dir, 'flag');
    const refused = await vidq('download', cdnRows.id, '--dir', out);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(
      '  failed row 1 (1-fox.mp4): blocked_address: 0.0.0.0 is not a public address (unspecified); the redirect came from',
    );
    const allowed = await vidq('download', cdnRows.id, '--dir', out, '--allow-private-addresses');
    expect(allowed.code, allowed.stdout).toBe(0);
    expect(allowed.stdout).toContain('downloaded 1, skipped 2 (complete already), failed 0');
    await expectComplete(out, await filesIn(out));
  });

  it('--max-bytes: a larger Content-Length, or a chunked body past the cap, fails and leaves no file', async () => {
    behave(cdnRows, { 1: { kind: 'chunked' }, 2: { kind: 'chunked' }, 3: { kind: 'chunked' } });
    const out = join(dir, 'chunked');
    const [byLength, streamed, usage] = await Promise.all([
      vidq('download', named.id, '--dir', join(dir, 'small'), '--max-bytes', '4K'),
      vidq('download', cdnRows.id, '--dir', out, '--max-bytes', '4K'),
      vidq('download', cdnRows.id, '--dir', out, '--max-bytes', 'lots'),
    ]);
    expect(byLength.code).toBe(1);
    expect(byLength.stdout).toMatch(/^downloaded 0, skipped 0 \(complete already\), failed 5,/);
    expect(byLength.stdout).toContain(
      `  failed row 3 (3.mp4): too_large: ${new URL(stack.simulator.url).host} announces 4528 bytes, over the 4096-byte limit`,
    );
    expect(await filesIn(join(dir, 'small'))).toEqual([]);

    expect(streamed.code).toBe(1);
    expect(streamed.stdout).toContain(
      `  failed row 3 (3.mp4): too_large: 127.0.0.1:${cdn.port} sent more than the 4096-byte limit`,
    );
    expect(await filesIn(out)).toEqual([]); // the .part files are gone too
    expect(usage.code).toBe(2);

    const fits = await vidq('download', cdnRows.id, '--dir', out, '--max-bytes', '5K');
    expect(fits.code, fits.stdout).toBe(0);
    expect(fits.stdout).toContain('downloaded 3, skipped 0 (complete already), failed 0');
  });

  it('rows still generating count as not finished and cancelled ones as no video: exit 0', async () => {
    stack.simulator.configure({ generationMs: 60_000, publicUrl: stack.simulator.url });
    try {
      const file = join(dir, 'slow.csv');
      await writeFile(file, 'prompt\nslow one\nslow two\n');
      const { id } = await vq.uploadBatch(file);
      const out = join(dir, 'slow');
      const pending = await vidq('download', id, '--dir', out);
      expect(pending.code, pending.stderr).toBe(0);
      expect(pending.stdout).toBe(
        'downloaded 0, skipped 0 (complete already), failed 0, not finished 2, no video 0\n',
      );
      await vq.cancelBatch(id);
      await expect.poll(async () => (await vq.getBatch(id)).counts.cancelled, { timeout: 15_000 }).toBe(2);
      const cancelled = await vidq('download', id, '--dir', out);
      expect(cancelled.code).toBe(0);
      expect(cancelled.stdout).toBe(
        'downloaded 0, skipped 0 (complete already), failed 0, not finished 0, no video 2\n',
      );
      expect(await filesIn(out)).toEqual([]);
    } finally {
      stack.simulator.configure({ generationMs: 300 });
    }
  });
});
