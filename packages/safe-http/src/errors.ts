/** Stable codes of a refused or failed fetch: callers branch on these, never on messages. */
export const SafeHttpErrorCode = {
  /** The URL's host, a redirect's host or a DNS answer is an address the policy refuses. */
  BlockedAddress: 'blocked_address',
  /** Not http: or https: (at the start or in a redirect). */
  BadProtocol: 'bad_protocol',
  /** The URL or a redirect's Location could not be parsed. */
  BadUrl: 'bad_url',
  TooManyRedirects: 'too_many_redirects',
  /** Content-Length over the cap, or more bytes than the cap while streaming. */
  TooLarge: 'too_large',
  /** The whole transfer (redirects and body) took longer than the time limit. */
  Timeout: 'timeout',
  /** A final answer outside 2xx, or a redirect without a Location; `status` says which. */
  HttpStatus: 'http_status',
  /** DNS failure, refused or reset connection, TLS error, body cut short. */
  Network: 'network',
} as const;

export type SafeHttpErrorCode = (typeof SafeHttpErrorCode)[keyof typeof SafeHttpErrorCode];

export type SafeHttpErrorDetails = {
  /** The host being fetched when it failed (never the path or query: signed URLs carry tokens there). */
  host?: string | undefined;
  /** With `http_status`. */
  status?: number | undefined;
  /** With `blocked_address`: the refused address and its range (`loopback`, `private`, `linkLocal`...). */
  address?: string | undefined;
  range?: string | undefined;
};

/**
 * Every failure of `safeFetch`, on the promise or on the body stream. Messages name hosts and
 * addresses only, so they are safe to log and print.
 */
export class SafeHttpError extends Error {
  override readonly name = 'SafeHttpError';
  readonly host: string | undefined;
  readonly status: number | undefined;
  readonly address: string | undefined;
  readonly range: string | undefined;

  constructor(
    readonly code: SafeHttpErrorCode,
    message: string,
    details: SafeHttpErrorDetails = {},
  ) {
    super(message);
    this.host = details.host;
    this.status = details.status;
    this.address = details.address;
    this.range = details.range;
  }
}

export function isSafeHttpError(err: unknown): err is SafeHttpError {
  return err instanceof SafeHttpError;
}
