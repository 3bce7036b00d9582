import { createStorage } from './create-storage.js';
import type { Storage } from './storage.js';

/** The settings a process reads for its storage (see the root README's configuration table). */
export type StorageSettings = {
  STORAGE_URL: string;
  AWS_ENDPOINT_URL?: string | undefined;
  AWS_REGION?: string | undefined;
  AWS_ACCESS_KEY_ID?: string | undefined;
  AWS_SECRET_ACCESS_KEY?: string | undefined;
  S3_FORCE_PATH_STYLE?: boolean | undefined;
};

/** The storage STORAGE_URL names (undefined for `none`), with the AWS_* settings for `s3://`. */
export function storageFromSettings(settings: StorageSettings): Promise<Storage | undefined> {
  return createStorage(settings.STORAGE_URL, {
    ...(settings.AWS_ENDPOINT_URL ? { endpoint: settings.AWS_ENDPOINT_URL } : {}),
    ...(settings.AWS_REGION ? { region: settings.AWS_REGION } : {}),
    ...(settings.AWS_ACCESS_KEY_ID ? { accessKeyId: settings.AWS_ACCESS_KEY_ID } : {}),
    ...(settings.AWS_SECRET_ACCESS_KEY ? { secretAccessKey: settings.AWS_SECRET_ACCESS_KEY } : {}),
    forcePathStyle: settings.S3_FORCE_PATH_STYLE ?? false,
  });
}
