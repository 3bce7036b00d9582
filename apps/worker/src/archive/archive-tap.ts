import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** A download that is not what we archive: not an MP4. */
export class NotMp4Error extends Error {
  override name = 'NotMp4Error';
  readonly code = 'not_mp4';
}

/** Bytes before the check: an MP4 starts with a box whose type, at offset 4, is `ftyp`. */
const HEAD_BYTES = 8;

/**
 * The stream between the download and the storage: refuses a body that is not an MP4 (no `ftyp` box
 * at offset 4 of its first bytes) before anything is passed on, and counts and hashes (SHA-256)
 * every byte on the way, so the file is never held whole in memory.
 */
export class ArchiveTap extends Transform {
  bytes = 0;
  readonly #hash = createHash('sha256');
  #head: Buffer | undefined = Buffer.alloc(0);

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    this.#hash.update(chunk);
    if (this.#head === undefined) {
      done(null, chunk);
      return;
    }
    this.#head = Buffer.concat([this.#head, chunk]);
    if (this.#head.length < HEAD_BYTES) {
      done();
      return;
    }
    if (this.#head.toString('latin1', 4, 8) !== 'ftyp') {
      done(new NotMp4Error('the file is not an MP4 (no ftyp box at offset 4)'));
      return;
    }
    const head = this.#head;
    this.#head = undefined;
    done(null, head);
  }

  override _flush(done: TransformCallback): void {
    if (this.#head !== undefined) {
      done(new NotMp4Error(`the file is not an MP4 (${this.#head.length} bytes)`));
      return;
    }
    done();
  }

  /** Hex SHA-256 of everything that passed; call once the stream has ended. */
  sha256(): string {
    return this.#hash.digest('hex');
  }
}
