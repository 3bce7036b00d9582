import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, type BatchResultRow, type VidqueueClient } from '@vidqueue/client/http';
import { startTestStack, type TestStack } from '@vidqueue/test-stack';
import { startReceiver } from '@vidqueue/testkit';
import { API_TOKEN, runNode } from './stack.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let stack: TestStack;
let vq: VidqueueClient;
let dir: string;
let storageDir: string;
let vidq: (...args: string[]) => ReturnType<typeof runNode>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vidq-download-archive-'));
  storageDir = join(dir, 'storage');
  stack = await startTestStack({
    label: 'cliarc',
    token: API_TOKEN,
    env: {
      STATUS_SCHEDULE: 'fixed',
      STORAGE_URL: pathToFileURL(storageDir).href,
      WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      WEBHOOK_ALLOW_PRIVATE: 'true',
    },
  });
  vq = createHttpClient({ apiUrl: stack.api.url, token: API_TOKEN });
  vidq = (...args) =>
    runNode('apps/cli/src/main.ts', args, { VIDQ_API_URL: stack.api.url, VIDQ_TOKEN: API_TOKEN });
});

afterAll(async () => {
  await vq?.close();
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function rowsOf(id: string): Promise<BatchResultRow[]> {
  const rows: BatchResultRow[] = [];
  for await (const row of vq.results(id)) rows.push(row);
  return rows;
}

describe('vidq download of archived videos', { timeout: 90_000 }, () => {
  it('fetches our archived copy (the provider links expired), checks each sha256, skips complete files and refuses a wrong one', async () => {
    const file = join(dir, 'prompts.csv');
    await writeFile(file, 'prompt,custom_id\na red fox,fox\na lighthouse,light\n');
    const { id } = await vq.uploadBatch(file);
    await expect
      .poll(async () => (await rowsOf(id)).filter((r) => r.archive?.status === 'archived').length, {
        timeout: 20_000,
      })
      .toBe(2);
    const rows = await rowsOf(id);
    for (const row of rows) expect(row.video_url).toBe(`${stack.api.url}/v1/videos/${id}-${row.row}/content`);
    stack.simulator.configure({ filesExpireMs: 1 });
    expect((await fetch(rows[0]!.provider_video_url!)).status).toBe(410);

    const out = join(dir, 'out');
    const first = await vidq('download', id, '--dir', out);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe(
      'downloaded 2, skipped 0 (complete already), failed 0, not finished 0, no video 0\n',
    );
    for (const row of rows) {
      const bytes = await readFile(join(out, `${row.row}-${row.custom_id}.mp4`));
      expect(sha256(bytes)).toBe(row.archive!.sha256);
    }

    // A file whose bytes differ (same size) is fetched again; the intact one is skipped by its checksum.
    const foxPath = join(out, '1-fox.mp4');
    const fox = await readFile(foxPath);
    fox[fox.length - 1] = fox[fox.length - 1]! ^ 0xff;
    await writeFile(foxPath, fox);
    const second = await vidq('download', id, '--dir', out);
    expect(second.stdout).toBe(
      'downloaded 1, skipped 1 (complete already), failed 0, not finished 0, no video 0\n',
    );
    expect(sha256(await readFile(foxPath))).toBe(rows[0]!.archive!.sha256);

    // The archived file changed under us: the download is refused, and nothing is left behind.
    const stored = join(storageDir, 'batches', id, `${id}-2.mp4`);
    const tampered = await readFile(stored);
    tampered[tampered.length - 1] = tampered[tampered.length - 1]! ^ 0xff;
    await writeFile(stored, tampered);
    await rm(join(out, '2-light.mp4'));
    const third = await vidq('download', id, '--dir', out);
    expect(third.code).toBe(1);
    expect(third.stdout).toContain('failed row 2 (2-light.mp4): checksum_mismatch: ');
    expect((await readdir(out)).sort()).toEqual(['1-fox.mp4']);
    stack.simulator.configure({ filesExpireMs: 0 });
  });

  it("vidq webhooks list shows a video's deliveries; vidq webhooks replay sends one again with the same webhook-id", async () => {
    const receiver = await startReceiver(() => 204);
    try {
      const res = await fetch(`${stack.api.url}/v1/videos`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${API_TOKEN}` },
        body: JSON.stringify({ prompt: 'a kite over dunes', webhook_url: receiver.url }),
      });
      const videoId = ((await res.json()) as { id: string }).id;
      await expect.poll(() => receiver.received.length, { timeout: 20_000 }).toBe(1);
      const list = await vidq('webhooks', 'list', '--video', videoId);
      expect(list.code, list.stderr).toBe(0);
      const deliveryId = receiver.received[0]!.headers['webhook-id'] as string;
      expect(list.stdout).toMatch(
        new RegExp(
          `^${deliveryId}  video.completed  delivered  1 attempt\\(s\\), last 204  127\\.0\\.0\\.1:\\d+\\n$`,
        ),
      );
      const replay = await vidq('webhooks', 'replay', deliveryId);
      expect(replay.code, replay.stderr).toBe(0);
      expect(replay.stdout).toMatch(
        new RegExp(`^replay of ${deliveryId} queued \\(job whk_${deliveryId}-replay-\\d+\\)\\n$`),
      );
      await expect.poll(() => receiver.received.length, { timeout: 10_000 }).toBe(2);
      expect(receiver.received[1]!.headers['webhook-id']).toBe(deliveryId);
      expect(receiver.received[1]!.body).toBe(receiver.received[0]!.body);
      const unknown = await vidq('webhooks', 'replay', 'msg_nope');
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('No webhook delivery with id msg_nope');
    } finally {
      await receiver.close();
    }
  });
});
