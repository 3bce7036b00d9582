import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import { SafeHttpError } from './errors.js';

export type LimitedBodyOptions = {
  host: string;
  maxBytes: number;
  /** Maps a stream failure to the error the caller sees (a timeout, when the deadline aborted it). */
  mapError: (err: unknown) => SafeHttpError;
  /** Runs once when the stream ends, fails or is destroyed by the consumer. */
  onClose: () => void;
};

/**
 * The response body as a Node byte stream that counts what passes and fails with `too_large` past
 * the cap. Destroying it cancels the download.
 */
export function limitedBody(web: ReadableStream<Uint8Array>, options: LimitedBodyOptions): Readable {
  const { host, maxBytes, mapError } = options;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    let seen = 0;
    try {
      for await (const chunk of web) {
        seen += chunk.byteLength;
        if (seen > maxBytes) {
          throw new SafeHttpError('too_large', `${host} sent more than the ${maxBytes}-byte limit`, { host });
        }
        yield chunk;
      }
    } catch (err) {
      throw mapError(err);
    }
  }
  const body = Readable.from(chunks(), { objectMode: false });
  body.once('close', options.onClose);
  return body;
}
