import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { refusedAddress, type AddressPolicy } from './address.js';
import { SafeHttpError } from './errors.js';

/** Resolves a host name to every address it has (the shape of `dns.promises.lookup(host, { all: true })`). */
export type Resolve = (hostname: string) => Promise<LookupAddress[]>;

export const resolveWithDns: Resolve = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** The refusal for a name that resolved to an address the policy does not allow. */
export function blockedError(host: string, address: string, range: string): SafeHttpError {
  const what = address === host ? address : `${host} (${address})`;
  return new SafeHttpError('blocked_address', `${what} is not a public address (${range})`, {
    host,
    address,
    range,
  });
}

/**
 * A `lookup` for `net.connect` / `tls.connect` that checks every DNS answer against the policy at the
 * moment of connecting, so a name cannot pass a check and then resolve elsewhere (DNS rebinding).
 * One refused answer refuses the whole name: a mix of public and private answers is not a CDN.
 * Node calls this only for names; IP literals are checked before the request is made.
 */
export function guardedLookup(policy: AddressPolicy, resolve: Resolve = resolveWithDns): LookupFunction {
  return (hostname, options, callback) => {
    const settle = (addresses: LookupAddress[]): void => {
      const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
      const usable = family ? addresses.filter((a) => a.family === family) : addresses;
      const first = usable[0];
      if (!first) {
        const err = Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' });
        callback(err, '', 0);
        return;
      }
      for (const a of addresses) {
        const refused = refusedAddress(a.address, policy);
        if (refused) {
          callback(blockedError(hostname, a.address, refused.range), '', 0);
          return;
        }
      }
      if (options.all) callback(null, usable);
      else callback(null, first.address, first.family);
    };
    resolve(hostname).then(settle, (err: NodeJS.ErrnoException) => callback(err, '', 0));
  };
}
