import type { Readable } from 'node:stream';

/** Inclusive byte range, as in HTTP: `{ start: 0, end: 9 }` is the first 10 bytes. */
export type ByteRange = { start: number; end: number };

export type StoredObject = { size: number };

export type StorageRead = {
  /** The bytes asked for (the whole object, or the range). Destroy it to stop early. */
  body: Readable;
  /** Size of the whole object. */
  size: number;
};

export type PutOptions = {
  contentType?: string;
  /** Gives the put up when it aborts: it rejects with the signal's reason and leaves nothing behind. */
  signal?: AbortSignal;
};

/**
 * Where archived videos live. Keys are ours only (`videos/vid_….mp4`, `batches/bat_…/bat_…-3.mp4`):
 * `assertStorageKey` refuses anything else, so no caller can reach outside the store.
 * A missing object is `undefined`, never an error.
 */
export interface Storage {
  readonly kind: 'file' | 's3';
  /** Where it writes, safe to log (no credentials): `file:///data/videos`, `s3://bucket/prefix`. */
  readonly description: string;
  /**
   * Streams `body` into `key`. The object appears whole or not at all: a body that fails midway
   * (a download cut short, a check that refuses it) leaves nothing behind. The caller counts and hashes
   * the bytes on their way in (a listener here would race the consumer).
   */
  put(key: string, body: Readable, options?: PutOptions): Promise<void>;
  stat(key: string): Promise<StoredObject | undefined>;
  /** The object, or one range of it; `undefined` when there is no such object. The range must lie within it. */
  read(key: string, range?: ByteRange): Promise<StorageRead | undefined>;
  /** Removes one object; a missing one is fine. */
  delete(key: string): Promise<void>;
  /** Removes every object under a prefix ending in `/`; resolves with how many were removed. */
  deletePrefix(prefix: string): Promise<number>;
  close(): Promise<void>;
}

export class StorageError extends Error {
  override name = 'StorageError';
}

const SEGMENT = '[A-Za-z0-9][A-Za-z0-9._-]{0,199}';
const KEY = new RegExp(`^${SEGMENT}(?:/${SEGMENT})*$`);
const PREFIX = new RegExp(`^(?:${SEGMENT}/)+$`);

/** Keys are `/`-separated segments of letters, digits, `.`, `_`, `-`, none starting with `.`: no `..`, no absolute path. */
export function assertStorageKey(key: string): void {
  if (!KEY.test(key) || key.length > 1024)
    throw new StorageError(`invalid storage key ${JSON.stringify(key)}`);
}

export function assertStoragePrefix(prefix: string): void {
  if (!PREFIX.test(prefix) || prefix.length > 1024) {
    throw new StorageError(`invalid storage prefix ${JSON.stringify(prefix)}`);
  }
}
