import { createHash, randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../src/index.js';

export type StorageFixture = { storage: Storage; stop(): Promise<void> };

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** The behaviour every backend owes its callers, run by each backend's test file against a real store. */
export function storageContract(name: string, start: () => Promise<StorageFixture>): void {
  describe(`storage contract: ${name}`, () => {
    let fixture: StorageFixture;
    let storage: Storage;
    const run = randomBytes(4).toString('hex');
    beforeAll(async () => {
      fixture = await start();
      storage = fixture.storage;
    });
    afterAll(async () => {
      await fixture?.stop();
    });

    it('stores a stream, states its size, reads it whole and by range', async () => {
      const bytes = randomBytes(70_000);
      const key = `t${run}/videos/vid_a.mp4`;
      await storage.put(key, Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]), {
        contentType: 'video/mp4',
      });
      expect(await storage.stat(key)).toEqual({ size: bytes.length });
      const whole = await storage.read(key);
      expect(whole?.size).toBe(bytes.length);
      expect(sha(await buffer(whole!.body))).toBe(sha(bytes));
      const part = await storage.read(key, { start: 10, end: 19 });
      expect(part?.size).toBe(bytes.length);
      expect(await buffer(part!.body)).toEqual(bytes.subarray(10, 20));
      const tail = await storage.read(key, { start: bytes.length - 1, end: bytes.length - 1 });
      expect(await buffer(tail!.body)).toEqual(bytes.subarray(bytes.length - 1));
    });

    it('stores more than one upload part (9 MiB) intact', async () => {
      const bytes = randomBytes(9 * 1024 * 1024);
      const key = `t${run}/big/vid_big.mp4`;
      const chunks = Array.from({ length: 9 }, (_, i) =>
        bytes.subarray(i * 1024 * 1024, (i + 1) * 1024 * 1024),
      );
      await storage.put(key, Readable.from(chunks));
      expect(await storage.stat(key)).toEqual({ size: bytes.length });
      expect(sha(await buffer((await storage.read(key))!.body))).toBe(sha(bytes));
    });

    it('answers undefined for a missing object, and deleting one is fine', async () => {
      const key = `t${run}/videos/missing.mp4`;
      expect(await storage.stat(key)).toBeUndefined();
      expect(await storage.read(key)).toBeUndefined();
      await expect(storage.delete(key)).resolves.toBeUndefined();
    });

    it('leaves nothing behind when the body fails midway', async () => {
      const key = `t${run}/videos/broken.mp4`;
      const body = Readable.from(
        (async function* () {
          yield randomBytes(1000);
          await new Promise((resolve) => setImmediate(resolve));
          throw new Error('not an MP4');
        })(),
      );
      await expect(storage.put(key, body)).rejects.toThrow('not an MP4');
      expect(await storage.stat(key)).toBeUndefined();
    });

    it('gives a put up when its signal aborts (a body that never ends): rejects with the reason, leaves nothing', async () => {
      const key = `t${run}/videos/stalled.mp4`;
      const body = new PassThrough();
      body.write(randomBytes(1000)); // then nothing more, and no end
      const controller = new AbortController();
      const put = storage.put(key, body, { signal: controller.signal });
      controller.abort(new Error('took too long'));
      await expect(put).rejects.toThrow('took too long');
      expect(body.destroyed).toBe(true);
      expect(await storage.stat(key)).toBeUndefined();
    });

    it('replaces an object put again under the same key', async () => {
      const key = `t${run}/videos/again.mp4`;
      await storage.put(key, Readable.from([Buffer.from('first version')]));
      await storage.put(key, Readable.from([Buffer.from('second')]));
      expect(await buffer((await storage.read(key))!.body)).toEqual(Buffer.from('second'));
    });

    it('deletes one object, and every object under a prefix (only those)', async () => {
      const keep = `t${run}/batches/bat_keep/bat_keep-1.mp4`;
      await storage.put(keep, Readable.from([Buffer.from('keep')]));
      for (const row of [1, 2, 3]) {
        await storage.put(
          `t${run}/batches/bat_x/bat_x-${row}.mp4`,
          Readable.from([Buffer.from(`row ${row}`)]),
        );
      }
      await storage.delete(`t${run}/batches/bat_x/bat_x-3.mp4`);
      expect(await storage.stat(`t${run}/batches/bat_x/bat_x-3.mp4`)).toBeUndefined();
      expect(await storage.deletePrefix(`t${run}/batches/bat_x/`)).toBe(2);
      expect(await storage.stat(`t${run}/batches/bat_x/bat_x-1.mp4`)).toBeUndefined();
      expect(await storage.stat(keep)).toEqual({ size: 4 });
      expect(await storage.deletePrefix(`t${run}/batches/bat_none/`)).toBe(0);
    });

    it('refuses keys that are not ours', async () => {
      for (const key of ['../etc/passwd', '/abs.mp4', 'a//b.mp4', 'a/../b.mp4', '.hidden', 'a b.mp4', '']) {
        await expect(storage.stat(key), key).rejects.toThrow('invalid storage key');
      }
      await expect(storage.deletePrefix('../')).rejects.toThrow('invalid storage prefix');
      await expect(storage.deletePrefix('no-slash')).rejects.toThrow('invalid storage prefix');
    });
  });
}
