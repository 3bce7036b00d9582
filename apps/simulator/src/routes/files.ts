import type { FastifyInstance } from 'fastify';
import { sendProviderError } from '../errors.js';
import { statusAt } from '../generations.js';
import type { SimulatorState } from '../state.js';

const OUTPUT_NAME = /^([A-Za-z0-9_-]{21})_output\.mp4$/;

export type ByteRange = { start: number; end: number };

/**
 * One `bytes=` range of a `size`-byte file: the range, 'unsatisfiable', or undefined when the header
 * is absent, malformed or asks for several ranges (then the whole file is sent, as RFC 9110 allows).
 */
export function parseRange(
  header: string | undefined,
  size: number,
): ByteRange | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size) return 'unsatisfiable';
  if (end < start) return undefined;
  return { start, end };
}

/**
 * `GET /files/<key>_output.mp4` (the CDN): the sample MP4 for a completed generation, 404 for anything
 * else, 410 once `filesExpireMs` has passed since it completed (an expired link); `/files/sample.mp4` always. HEAD (added by Fastify) and single byte ranges are supported, so
 * downloaders can resume. No key needed, like a CDN URL.
 */
export function fileRoutes(app: FastifyInstance, opts: { state: SimulatorState }): void {
  const { state } = opts;

  app.get('/files/:name', async (request, reply) => {
    const { name } = request.params as { name: string };
    const key = OUTPUT_NAME.exec(name)?.[1];
    const generation = key === undefined ? undefined : state.store.getByFileKey(key);
    const available =
      name === 'sample.mp4' || (generation !== undefined && statusAt(generation, Date.now()) === 'completed');
    const expireMs = state.settings().filesExpireMs;
    if (available && generation !== undefined && expireMs > 0 && Date.now() >= generation.doneAt + expireMs) {
      return sendProviderError(request, reply, { status: 410, name: 'GoneError', message: 'File expired' });
    }
    if (!available) {
      return sendProviderError(request, reply, {
        status: 404,
        name: 'NotFoundError',
        message: 'File not found',
      });
    }

    const { bytes, size, etag } = state.video;
    reply
      .header('content-type', 'video/mp4')
      .header('accept-ranges', 'bytes')
      .header('etag', etag)
      .header('cache-control', 'public, max-age=86400');
    const ifRange = request.headers['if-range'];
    const range =
      ifRange === undefined || ifRange === etag ? parseRange(request.headers.range, size) : undefined;
    if (range === 'unsatisfiable') {
      return reply.code(416).header('content-range', `bytes */${size}`).send();
    }
    if (range === undefined) return reply.code(200).send(bytes);
    return reply
      .code(206)
      .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
      .send(bytes.subarray(range.start, range.end + 1));
  });
}
