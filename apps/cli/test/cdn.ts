import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the CDN does for one path; `ok` (the video with its length) when none is set. */
export type CdnBehaviour =
  | { kind: 'ok' }
  /** The video in 8 pieces, 60 ms apart: long enough for two downloaders to overlap. */
  | { kind: 'slow' }
  /** The video without Content-Length (chunked). */
  | { kind: 'chunked' }
  | { kind: 'redirect'; location: string }
  /** Half the video with the whole length announced, then nothing more until the CDN closes. */
  | { kind: 'stall' };

export type Cdn = {
  /** `http://127.0.0.1:<port>`: the simulator's `publicUrl`, so video URLs point here. */
  origin: string;
  port: number;
  /** Behaviour per request path (`/files/<key>_output.mp4`). */
  behaviours: Map<string, CdnBehaviour>;
  /** Paths requested, in order. */
  requests: string[];
  close(): Promise<void>;
};

/**
 * A stand-in CDN on 127.0.0.1 serving `video` for any path, or misbehaving as told per path. Real
 * provider URLs are on such hosts; the simulator hands out URLs here once its `publicUrl` is set.
 */
export async function startCdn(video: Buffer): Promise<Cdn> {
  const behaviours = new Map<string, CdnBehaviour>();
  const requests: string[] = [];
  const send = async (res: ServerResponse, behaviour: CdnBehaviour): Promise<void> => {
    switch (behaviour.kind) {
      case 'ok':
        res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': video.length }).end(video);
        return;
      case 'chunked':
        res.writeHead(200, { 'content-type': 'video/mp4' }).end(video);
        return;
      case 'redirect':
        res.writeHead(302, { location: behaviour.location }).end();
        return;
      case 'stall':
        res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': video.length });
        res.write(video.subarray(0, video.length >> 1));
        return;
      case 'slow': {
        res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': video.length });
        const piece = Math.ceil(video.length / 8);
        for (let at = 0; at < video.length; at += piece) {
          res.write(video.subarray(at, at + piece));
          await new Promise((resolve) => setTimeout(resolve, 60));
        }
        res.end();
        return;
      }
    }
  };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://cdn').pathname;
    requests.push(path);
    send(res, behaviours.get(path) ?? { kind: 'ok' }).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    behaviours,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
