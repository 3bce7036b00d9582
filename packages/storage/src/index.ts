export { createStorage, parseStorageUrl, type StorageLocation } from './create-storage.js';
export { createFileStorage } from './file-storage.js';
export { storageFromSettings, type StorageSettings } from './from-settings.js';
export { createS3Storage, type S3Settings } from './s3-storage.js';
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
