import { fileURLToPath } from 'node:url';
import { createFileStorage } from './file-storage.js';
import type { S3Settings } from './s3-storage.js';
import { StorageError, type Storage } from './storage.js';

export type StorageLocation =
  { kind: 'none' } | { kind: 'file'; root: string } | { kind: 's3'; bucket: string; prefix: string };

/**
 * `STORAGE_URL`: `none`, `file:///absolute/path`, or `s3://bucket[/prefix]`. Throws a StorageError
 * naming what is wrong (the URL carries no secret: S3 credentials come from the AWS_* settings).
 */
export function parseStorageUrl(raw: string): StorageLocation {
  if (raw === 'none') return { kind: 'none' };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new StorageError('must be none, file:///path or s3://bucket/prefix');
  }
  if (url.protocol === 'file:') {
    if (url.host !== '' && url.host !== 'localhost')
      throw new StorageError('file: URLs must be local (file:///path)');
    return { kind: 'file', root: fileURLToPath(url) };
  }
  if (url.protocol === 's3:') {
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(url.hostname)) {
      throw new StorageError('s3: needs a bucket name (s3://bucket/prefix)');
    }
    if (url.username || url.password || url.search) {
      throw new StorageError('s3: URLs take no credentials or query; use the AWS_* settings');
    }
    const prefix = decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, '');
    return { kind: 's3', bucket: url.hostname, prefix };
  }
  throw new StorageError('must be none, file:///path or s3://bucket/prefix');
}

/**
 * The storage a `STORAGE_URL` names, or `undefined` for `none` (archiving off). The S3 backend (the AWS
 * SDK takes a second or more to load) is imported only when an `s3://` URL asks for it.
 */
export async function createStorage(
  raw: string,
  s3: Omit<S3Settings, 'bucket' | 'prefix'> = {},
): Promise<Storage | undefined> {
  const location = parseStorageUrl(raw);
  switch (location.kind) {
    case 'none':
      return undefined;
    case 'file':
      return createFileStorage(location.root);
    case 's3': {
      const { createS3Storage } = await import('./s3-storage.js');
      return createS3Storage({ ...s3, bucket: location.bucket, prefix: location.prefix });
    }
  }
}
