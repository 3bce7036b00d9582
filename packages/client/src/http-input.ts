import { open } from 'node:fs/promises';

/**
 * The API's base URL without trailing slashes. Refused (a TypeError, before any request) when it is
 * not an http(s) URL, or when it carries a user name or password: fetch would refuse every request
 * and its message would hold the password; the API takes a bearer `token` instead. The URL itself is
 * never put in the message, since it may hold that password.
 */
export function apiBase(apiUrl: string): string {
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    throw new TypeError('apiUrl is not a URL (expected http(s)://host:port)');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`apiUrl must be an http(s) URL, not ${url.protocol}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new TypeError(
      'apiUrl must not hold a user name or password (it is never printed); pass the API token as `token`',
    );
  }
  return apiUrl.replace(/\/+$/, '');
}

/**
 * A batch file opened for the upload: the file system's own error (ENOENT, EACCES, EISDIR…) is thrown
 * here, before anything is sent, rather than surfacing as a request that failed (which read as "the API
 * is unreachable").
 */
export async function openUpload(file: string | NodeJS.ReadableStream): Promise<NodeJS.ReadableStream> {
  if (typeof file !== 'string') return file;
  const handle = await open(file, 'r');
  try {
    if ((await handle.stat()).isDirectory()) {
      throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read '${file}'`), {
        code: 'EISDIR',
        errno: -21,
        syscall: 'read',
        path: file,
      });
    }
  } catch (err) {
    await handle.close();
    throw err;
  }
  return handle.createReadStream();
}
