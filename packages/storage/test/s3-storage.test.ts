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
