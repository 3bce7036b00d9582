import type { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import { Agent, fetch, type Response } from 'undici';
import { isIpLiteral, refusedAddress, type AddressPolicy } from './address.js';
import { SafeHttpError } from './errors.js';
import { limitedBody } from './limited-body.js';
import { blockedError, guardedLookup, resolveWithDns, type Resolve } from './guarded-lookup.js';

export const SAFE_FETCH_DEFAULTS = {
  maxRedirects: 3,
  timeoutMs: 60_000,
  maxBytes: 100 * 1024 * 1024,
} as const;

export type SafeFetchOptions = AddressPolicy & {
  /** Default GET. POST sends `body` (webhook deliveries); a 301/302/303 turns it into a GET without one. */
  method?: 'GET' | 'HEAD' | 'POST';
  /** The request body of a POST. */
  body?: string | Uint8Array;
  /** Request headers. `authorization`, `cookie` and `proxy-authorization` are dropped on a redirect to another origin. */
  headers?: Record<string, string>;
  /** Redirects followed (each hop checked again); default 3. */
  maxRedirects?: number;
  /** For the whole transfer: every hop and the body; default 60 s. */
  timeoutMs?: number;
  /** Body size cap in bytes; default 100 MiB. */
  maxBytes?: number;
  /** DNS resolution, checked like real answers; default `dns.lookup` with `all: true`. */
  lookup?: Resolve;
};

export type SafeResponse = {
  /** 2xx: anything else is thrown as `http_status`. */
  status: number;
  headers: Headers;
  /** The host that answered (after redirects). */
  host: string;
  /** Redirects followed. */
  redirects: number;
  /** The announced body size, when there is one and the body is not content-encoded. */
  contentLength: number | undefined;
  /** The body, counted against `maxBytes` and bound by the deadline; destroy it to stop early. Empty for HEAD. */
  body: Readable;
};

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

function parseUrl(input: string | URL, base?: URL): URL {
  try {
    return new URL(input, base);
  } catch {
    throw new SafeHttpError('bad_url', base ? `${base.host} redirected to an invalid URL` : 'invalid URL', {
      host: base?.host,
    });
  }
}

/** The checks made before connecting to a hop: the scheme, and the address when the host is an IP literal. */
function checkHop(url: URL, policy: AddressPolicy, from?: URL): void {
  const via = from ? `; the redirect came from ${from.host}` : '';
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SafeHttpError('bad_protocol', `${url.protocol} URLs are not fetched, only http(s)${via}`, {
      host: from?.host,
    });
  }
  if (isIpLiteral(url.hostname)) {
    const refused = refusedAddress(url.hostname, policy);
    if (refused) {
      const err = blockedError(url.hostname, refused.address, refused.range);
      err.message += via;
      throw err;
    }
  }
}

function contentLengthOf(res: Response): number | undefined {
  const encoding = res.headers.get('content-encoding');
  if (encoding && encoding.toLowerCase() !== 'identity') return undefined;
  const value = res.headers.get('content-length');
  return value !== null && /^\d+$/.test(value.trim()) ? Number(value) : undefined;
}

/** The SafeHttpError a failed `fetch` or body read stands for. */
function toSafeError(err: unknown, host: string, deadline: AbortSignal): SafeHttpError {
  if (deadline.aborted && deadline.reason instanceof SafeHttpError) return deadline.reason;
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e instanceof SafeHttpError) return e;
  }
  let code: unknown;
  for (let e: unknown = err; e instanceof Error && code === undefined; e = e.cause) {
    code = (e as NodeJS.ErrnoException).code;
  }
  const why = typeof code === 'string' ? code : 'connection failed';
  return new SafeHttpError('network', `${host}: ${why}`, { host });
}

/**
 * GET (HEAD, POST) a URL we did not choose: http(s) only, redirects followed by hand and each hop checked,
 * non-public addresses refused unless the policy allows them (IP literals before connecting, DNS answers
 * while connecting), one deadline for the whole transfer and a size cap. Resolves once a 2xx answer's
 * headers are in; the body is a stream. Rejects, and the body fails, with `SafeHttpError` only.
 */
export async function safeFetch(input: string | URL, options: SafeFetchOptions = {}): Promise<SafeResponse> {
  const policy: AddressPolicy = { allowPrivate: options.allowPrivate, allowRanges: options.allowRanges };
  const maxRedirects = options.maxRedirects ?? SAFE_FETCH_DEFAULTS.maxRedirects;
  const maxBytes = options.maxBytes ?? SAFE_FETCH_DEFAULTS.maxBytes;
  const timeoutMs = options.timeoutMs ?? SAFE_FETCH_DEFAULTS.timeoutMs;
  let method = options.method ?? 'GET';
  let requestBody = method === 'POST' ? options.body : undefined;

  let url = parseUrl(input);
  checkHop(url, policy);

  const agent = new Agent({ connect: { lookup: guardedLookup(policy, options.lookup ?? resolveWithDns) } });
  const deadline = new AbortController();
  const timer = setTimeout(() => {
    deadline.abort(
      new SafeHttpError('timeout', `${url.host} took longer than ${timeoutMs} ms`, { host: url.host }),
    );
  }, timeoutMs);
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    agent.destroy().catch(() => undefined);
  };

  const headers: Record<string, string> = { 'accept-encoding': 'identity', ...options.headers };
  try {
    for (let redirects = 0; ; redirects++) {
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers,
          ...(requestBody === undefined ? {} : { body: requestBody }),
          redirect: 'manual',
          dispatcher: agent,
          signal: deadline.signal,
        });
      } catch (err) {
        throw toSafeError(err, url.host, deadline.signal);
      }

      if (REDIRECTS.has(res.status)) {
        await res.body?.cancel().catch(() => undefined);
        const location = res.headers.get('location');
        if (location === null) {
          throw new SafeHttpError('http_status', `${url.host} answered ${res.status} without a Location`, {
            host: url.host,
            status: res.status,
          });
        }
        if (redirects >= maxRedirects) {
          throw new SafeHttpError(
            'too_many_redirects',
            `more than ${maxRedirects} redirects (last from ${url.host})`,
            {
              host: url.host,
            },
          );
        }
        const next = parseUrl(location, url);
        checkHop(next, policy, url);
        if (next.origin !== url.origin) {
          for (const name of Object.keys(headers)) {
            if (CREDENTIAL_HEADERS.includes(name.toLowerCase())) delete headers[name];
          }
        }
        if (method === 'POST' && res.status !== 307 && res.status !== 308) {
          method = 'GET';
          requestBody = undefined;
          for (const name of Object.keys(headers)) {
            if (name.toLowerCase() === 'content-type') delete headers[name];
          }
        }
        url = next;
        continue;
      }

      if (res.status < 200 || res.status > 299) {
        await res.body?.cancel().catch(() => undefined);
        throw new SafeHttpError('http_status', `${url.host} answered ${res.status}`, {
          host: url.host,
          status: res.status,
        });
      }

      const contentLength = contentLengthOf(res);
      if (contentLength !== undefined && contentLength > maxBytes) {
        await res.body?.cancel().catch(() => undefined);
        throw new SafeHttpError(
          'too_large',
          `${url.host} announces ${contentLength} bytes, over the ${maxBytes}-byte limit`,
          { host: url.host },
        );
      }

      const host = url.host;
      const empty = new Blob([]).stream() as unknown as ReadableStream<Uint8Array>;
      const body = limitedBody((res.body as ReadableStream<Uint8Array> | null) ?? empty, {
        host,
        maxBytes,
        mapError: (err) => toSafeError(err, host, deadline.signal),
        onClose: close,
      });
      return {
        status: res.status,
        headers: res.headers as unknown as Headers,
        host,
        redirects,
        contentLength,
        body,
      };
    }
  } catch (err) {
    close();
    throw err;
  }
}
