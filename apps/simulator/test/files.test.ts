import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseRange } from '../src/routes/files.js';
import { startTestSimulator, type TestSimulator } from './helpers.js';

/** Top-level MP4 boxes: [type, size]. */
function boxes(bytes: Buffer): [string, number][] {
  const out: [string, number][] = [];
  let offset = 0;
  while (offset + 8 <= bytes.length) {
    const size = bytes.readUInt32BE(offset);
    out.push([bytes.toString('latin1', offset + 4, offset + 8), size]);
    if (size < 8) break;
    offset += size;
  }
  return out;
}

describe('video files', () => {
  let t: TestSimulator;
  beforeEach(async () => {
    t = await startTestSimulator({ generationMs: 0 });
  });
  afterEach(async () => {
    await t.close();
  });

  async function videoUrl(): Promise<{ url: string; size: number }> {
    const id = await t.createId('a film');
    const video = (await t.check(id)).body.video as { url: string; file_size: number };
    return { url: video.url, size: video.file_size };
  }

  it('serves a small valid MP4 (ftyp box first, then moov and mdat) as video/mp4', async () => {
    const { url, size } = await videoUrl();
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('video/mp4');
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.length).toBe(size);
    expect(bytes.length).toBeLessThan(100_000);
    expect(bytes.toString('latin1', 4, 8)).toBe('ftyp');
    expect(['isom', 'mp41', 'mp42']).toContain(bytes.toString('latin1', 8, 12));
    const top = boxes(bytes);
    expect(top.map(([type]) => type)).toEqual(expect.arrayContaining(['ftyp', 'moov', 'mdat']));
    expect(top.reduce((sum, [, s]) => sum + s, 0)).toBe(bytes.length);
  });

  it('filesExpireMs (SIM_FILES_EXPIRE_MS): a file answers 410 once that long has passed since completion', async () => {
    const { url } = await videoUrl();
    expect((await fetch(url)).status).toBe(200);
    t.sim.configure({ filesExpireMs: 1 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const expired = await fetch(url);
    expect(expired.status).toBe(410);
    expect(await expired.json()).toMatchObject({ message: 'File expired', statusCode: 410 });
    expect((await fetch(`${t.sim.url}/files/sample.mp4`)).status).toBe(200);
    t.sim.configure({ filesExpireMs: 0 });
    expect((await fetch(url)).status).toBe(200);
  });

  it('answers HEAD with the headers only', async () => {
    const { url, size } = await videoUrl();
    const res = await fetch(url, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('video/mp4');
    expect(res.headers.get('content-length')).toBe(String(size));
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  it('serves byte ranges so a download can resume', async () => {
    const { url, size } = await videoUrl();
    const full = Buffer.from(await (await fetch(url)).arrayBuffer());
    const head = await fetch(url, { headers: { range: 'bytes=0-99' } });
    expect(head.status).toBe(206);
    expect(head.headers.get('content-range')).toBe(`bytes 0-99/${size}`);
    const first = Buffer.from(await head.arrayBuffer());
    const tail = await fetch(url, { headers: { range: 'bytes=100-' } });
    expect(tail.status).toBe(206);
    const rest = Buffer.from(await tail.arrayBuffer());
    expect(Buffer.concat([first, rest]).equals(full)).toBe(true);
    const suffix = await fetch(url, { headers: { range: 'bytes=-10' } });
    expect(Buffer.from(await suffix.arrayBuffer()).equals(full.subarray(size - 10))).toBe(true);
    const beyond = await fetch(url, { headers: { range: `bytes=${size}-` } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${size}`);
    const stale = await fetch(url, { headers: { range: 'bytes=0-9', 'if-range': '"other"' } });
    expect(stale.status).toBe(200);
  });

  it('404s unknown files and files of generations not finished yet', async () => {
    expect((await fetch(`${t.url}/files/AAAAAAAAAAAAAAAAAAAAA_output.mp4`)).status).toBe(404);
    expect((await fetch(`${t.url}/files/../package.json`)).status).toBe(404);
    const { url } = await videoUrl();
    expect((await fetch(url)).status).toBe(200);
    t.sim.reset({ generations: true });
    expect((await fetch(url)).status).toBe(404);
    t.sim.configure({ generationMs: 60_000 });
    const id = await t.createId('not yet');
    expect((await t.check(id)).body.video).toBeNull();
  });

  it('uses SIM_PUBLIC_URL for video URLs when set', async () => {
    t.sim.configure({ publicUrl: 'https://cdn.example.test/sim/' });
    const { url } = await videoUrl();
    expect(url).toMatch(/^https:\/\/cdn\.example\.test\/sim\/files\/[A-Za-z0-9_-]{21}_output\.mp4$/);
  });
});

describe('parseRange', () => {
  it('reads single ranges and ignores what it does not support', () => {
    expect(parseRange(undefined, 100)).toBeUndefined();
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-200', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-5', 100)).toEqual({ start: 95, end: 99 });
    expect(parseRange('bytes=-500', 100)).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-1,5-6', 100)).toBeUndefined();
    expect(parseRange('items=0-1', 100)).toBeUndefined();
    expect(parseRange('bytes=9-3', 100)).toBeUndefined();
  });
});
