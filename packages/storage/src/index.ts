export { createStorage, parseStorageUrl, type StorageLocation } from './create-storage.js';
export { createFileStorage } from './file-storage.js';
export { storageFromSettings, type StorageSettings } from './from-settings.js';
// createS3Storage is reached through createStorage (a lazy import): importing this package never loads the AWS SDK.
export type { S3Settings } from './s3-storage.js';
export {
  StorageError,
  assertStorageKey,
  assertStoragePrefix,
  type ByteRange,
  type PutOptions,
  type Storage,
  type StorageRead,
  type StoredObject,
} from './storage.js';
