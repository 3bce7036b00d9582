import { createServer, type AddressInfo, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { startFauxqs } from 'fauxqs';
import { createStorage } from '../src/index.js';
import { storageContract } from './storage-contract.js';

// A real S3-compatible server in this process (fauxqs, over HTTP on a free port), never a mock.
storageContract('s3:// (fauxqs)', async () => {
  const server = await startFauxqs({ port: 0, logger: false });
  server.createBucket('vidq-test');
  const storage = (await createStorage('s3://vidq-test/archive/v1', {
    endpoint: server.address,
    region: 'us-east-1',
    accessKeyId: 'test',
    secretAccessKey: 'test',
    forcePathStyle: true,
  }))!;
  return {
    storage,
    stop: async () => {
      await storage.close();
      await server.stop();
    },
  };
});

describe('s3:// against a store that stops answering', () => {
  it('a put given up by its signal fails at once, and its connection is closed once idle for socketIdleMs', async () => {
    const sockets: Socket[] = [];
    const closed: Socket[] = [];
    // Accepts the request and reads it, never answers.
    const blackHole = createServer((socket) => {
      sockets.push(socket);
      socket.on('close', () => closed.push(socket));
      socket.resume();
    });
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    const storage = (await createStorage('s3://vidq-stalled/archive', {
      endpoint: `http://127.0.0.1:${(blackHole.address() as AddressInfo).port}`,
      accessKeyId: 'test',
      secretAccessKey: 'test',
      forcePathStyle: true,
      socketIdleMs: 300,
    }))!;
    try {
      const abort = new AbortController();
      const put = storage.put('a/b.mp4', Readable.from([Buffer.from('not a video')]), {
        signal: abort.signal,
      });
      await expect.poll(() => sockets.length).toBeGreaterThan(0);
      abort.abort(new Error('given up'));
      await expect(put).rejects.toThrow('given up');
      // The request the SDK sent is not left open: its idle socket is destroyed.
      await expect.poll(() => closed.length, { timeout: 5_000 }).toBe(sockets.length);
    } finally {
      await storage.close();
      sockets.forEach((s) => s.destroy());
      blackHole.close();
    }
  });
});
