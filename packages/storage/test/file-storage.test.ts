import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createStorage, parseStorageUrl } from '../src/index.js';
import { storageContract } from './storage-contract.js';

storageContract('file://', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vidq-storage-'));
  const storage = (await createStorage(pathToFileURL(dir).href))!;
  return {
    storage,
    stop: async () => {
      await storage.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('file storage', () => {
  it('writes into a .part file and renames it: a failed put leaves no .part behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vidq-storage-'));
    const storage = (await createStorage(pathToFileURL(dir).href))!;
    const body = Readable.from(
      (async function* () {
        yield Buffer.from('x');
        await new Promise((resolve) => setImmediate(resolve));
        throw new Error('cut');
      })(),
    );
    await expect(storage.put('videos/vid_1.mp4', body)).rejects.toThrow('cut');
    expect(await readdir(join(dir, 'videos'))).toEqual([]);
    await rm(dir, { recursive: true, force: true });
  });
});

describe('parseStorageUrl', () => {
  it('reads none, file:// and s3:// and refuses the rest', async () => {
    expect(parseStorageUrl('none')).toEqual({ kind: 'none' });
    expect(parseStorageUrl('file:///data/videos')).toEqual({ kind: 'file', root: '/data/videos' });
    expect(parseStorageUrl('s3://my-bucket/vidq/videos/')).toEqual({
      kind: 's3',
      bucket: 'my-bucket',
      prefix: 'vidq/videos',
    });
    expect(parseStorageUrl('s3://my-bucket')).toEqual({ kind: 's3', bucket: 'my-bucket', prefix: '' });
    expect(() => parseStorageUrl('s3://key:secret@bucket/x')).toThrow('take no credentials');
    expect(() => parseStorageUrl('http://example.com/')).toThrow('must be none');
    expect(() => parseStorageUrl('file://otherhost/x')).toThrow('must be local');
    expect(await createStorage('none')).toBeUndefined();
  });
});
