import { createServer, type Server } from 'node:http';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient } from '@vidqueue/client/http';
import { downloadBatch } from '../src/download.js';

/**
 * A server that is not ours (compromised, or a man in the middle on plain http) answers a batch's results
 * with rows crafted to write outside the download folder: `vidq download` never writes anywhere but the
 * folder, and a bad row fails alone instead of ending the run.
 */
let server: Server;
let base = '';
let root = '';

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vidq-hostile-'));
  server = createServer((req, res) => {
    if (req.url?.startsWith('/v1/batches/bat_evil/results')) {
      const video = (n: number) => `${base}/v/${n}.mp4`;
      const rows = [
        { row: '../../escaped', custom_id: null, status: 'completed', video_url: video(1) },
        { row: 2, custom_id: { toString: 'x' }, status: 'completed', video_url: video(2) },
        { row: 3, custom_id: '../../../escaped-too', status: 'completed', video_url: video(3) },
        { row: -4, custom_id: null, status: 'completed', video_url: video(4) },
      ].map((r) => JSON.stringify({ error_code: null, error: null, archive: null, ...r }));
      res.writeHead(200, { 'content-type': 'application/x-ndjson' }).end(`${rows.join('\n')}\n`);
      return;
    }
    if (req.url?.startsWith('/v/')) {
      res.writeHead(200, { 'content-type': 'video/mp4' }).end(Buffer.from('not really a video'));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(root, { recursive: true, force: true });
});

describe('vidq download against a hostile results stream', () => {
  it('refuses rows whose number is not a positive integer or whose id is not text; writes only inside the folder', async () => {
    const dir = join(root, 'a', 'b', 'videos');
    const vq = createHttpClient({ apiUrl: base });
    try {
      const summary = await downloadBatch(vq, 'bat_evil', {
        dir,
        addressPolicy: { allowRanges: ['loopback'] },
      });
      expect(summary).toMatchObject({ downloaded: 1, failed: 3 });
      const errors = summary.failures.map((f) => f.error).sort();
      expect(errors).toHaveLength(3);
      expect(errors[0]).toMatch(/row's custom_id must be text or null \(got object\)/);
      expect(errors[1]).toMatch(/row's number must be a positive integer \(got "\.\.\/\.\.\/escaped"\)/);
      expect(errors[2]).toMatch(/row's number must be a positive integer \(got -4\)/);
      expect(await readdir(dir)).toEqual(['3-.._.._.._escaped-too.mp4']);
      expect(await readdir(root)).toEqual(['a']);
      expect(await readdir(join(root, 'a'))).toEqual(['b']);
    } finally {
      await vq.close();
    }
  });
});
