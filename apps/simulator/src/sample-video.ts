import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The one video every completed generation points at: a 1 s 256x170 H.264 MP4 made once with ffmpeg. */
export type SampleVideo = { bytes: Buffer; size: number; etag: string };

/**
 * Where assets/sample.mp4 is from this file (apps/simulator/src/), from the simulator's bundle
 * (apps/simulator/dist/main.mjs) and from the stack's bundle (apps/stack/dist/main.mjs).
 */
const CANDIDATES = ['../assets/sample.mp4', '../../simulator/assets/sample.mp4'];

export function loadSampleVideo(path?: string): SampleVideo {
  const found =
    path ?? CANDIDATES.map((c) => fileURLToPath(new URL(c, import.meta.url))).find((p) => existsSync(p));
  if (found === undefined) throw new Error('the simulator cannot find assets/sample.mp4');
  const bytes = readFileSync(found);
  const etag = `"${createHash('sha1').update(bytes).digest('base64url')}"`;
  return { bytes, size: bytes.length, etag };
}
