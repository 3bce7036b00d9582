import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { assertStorageKey, assertStoragePrefix, type ByteRange, type Storage } from './storage.js';

/**
 * Objects as files under one folder: `<root>/<key>`. A put writes `<key>.<random>.part` (created
 * exclusively) and renames it into place, so readers never see half a file.
 */
export function createFileStorage(root: string): Storage {
  const base = resolve(root);
  const pathOf = (key: string) => {
    assertStorageKey(key);
    return join(base, key);
  };

  return {
    kind: 'file',
    description: pathToFileURL(base).href,

    async put(key, body: Readable, options) {
      const target = pathOf(key);
      await mkdir(dirname(target), { recursive: true });
      const part = `${target}.${randomBytes(6).toString('hex')}.part`;
      try {
        const signal = options?.signal;
        await pipeline(body, createWriteStream(part, { flags: 'wx' }), signal ? { signal } : {});
        await rename(part, target);
      } catch (err) {
        await rm(part, { force: true });
        throw options?.signal?.aborted ? (options.signal.reason as Error) : err;
      }
    },

    async stat(key) {
      try {
        const s = await stat(pathOf(key));
        return s.isFile() ? { size: s.size } : undefined;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },

    async read(key, range?: ByteRange) {
      const path = pathOf(key);
      const found = await this.stat(key);
      if (!found) return undefined;
      const body = createReadStream(path, range ? { start: range.start, end: range.end } : {});
      return { body, size: found.size };
    },

    async delete(key) {
      await rm(pathOf(key), { force: true });
    },

    async deletePrefix(prefix) {
      assertStoragePrefix(prefix);
      const dir = join(base, prefix);
      let count = 0;
      try {
        const entries = await readdir(dir, { recursive: true, withFileTypes: true });
        count = entries.filter((e) => e.isFile() && !e.name.endsWith('.part')).length;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
        throw err;
      }
      await rm(dir, { recursive: true, force: true });
      return count;
    },

    async close() {},
  };
}
