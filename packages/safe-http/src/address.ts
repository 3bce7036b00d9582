import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * What an IP address is, as ipaddr.js names its ranges: `unicast` (public), `loopback`, `private`
 * (RFC 1918), `carrierGradeNat` (100.64/10), `linkLocal` (169.254/16, fe80::/10), `uniqueLocal`
 * (fc00::/7), `unspecified`, `multicast`, `broadcast`, `reserved`... plus `ipv4Compatible` for the
 * deprecated `::a.b.c.d` form, which ipaddr.js would call unicast.
 */
export type AddressRange =
  ReturnType<ipaddr.IPv4['range']> | ReturnType<ipaddr.IPv6['range']> | 'ipv4Compatible';

export type AddressInfo = {
  /** The address as given, without brackets. */
  address: string;
  /** For IPv4-mapped and translated IPv6 forms, the range of the IPv4 address inside. */
  range: AddressRange;
  /** True only for `unicast`: an address on the public internet. */
  public: boolean;
};

/** Which non-public addresses a fetch may reach. Public addresses are always allowed. */
export type AddressPolicy = {
  /** Allow every address (loopback, private, link-local...). Default false. */
  allowPrivate?: boolean | undefined;
  /** Ranges allowed although not public, e.g. `['loopback']` for a server on this machine. */
  allowRanges?: readonly AddressRange[] | undefined;
};

/** The IPv4 address inside an IPv6 one that reaches it: `::ffff:a.b.c.d`, `::ffff:0:a.b.c.d`, `64:ff9b::a.b.c.d`. */
function embeddedIPv4(v6: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const p = v6.parts;
  const range = v6.range();
  const wellKnownNat64 = range === 'rfc6052' && p[2] === 0 && p[3] === 0 && p[4] === 0 && p[5] === 0;
  if (range !== 'ipv4Mapped' && range !== 'rfc6145' && !wellKnownNat64) return undefined;
  const hi = p[6]!;
  const lo = p[7]!;
  return new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
}

/** `[::1]` → `::1`; anything else unchanged. */
function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** True for an IP literal (a URL's hostname may be one, brackets included). */
export function isIpLiteral(host: string): boolean {
  return isIP(unbracket(host)) !== 0;
}

/** Classifies an IP literal; undefined for anything that is not one (a DNS name). */
export function classifyAddress(ip: string): AddressInfo | undefined {
  const address = unbracket(ip);
  if (isIP(address) === 0) return undefined;
  const parsed = ipaddr.parse(address);
  let range: AddressRange;
  if (parsed.kind() === 'ipv4') {
    range = (parsed as ipaddr.IPv4).range();
  } else {
    const v6 = parsed as ipaddr.IPv6;
    const inner = embeddedIPv4(v6);
    const p = v6.parts;
    if (inner) range = inner.range();
    else if (p.slice(0, 6).every((x) => x === 0) && v6.range() === 'unicast') range = 'ipv4Compatible';
    else range = v6.range();
  }
  return { address, range, public: range === 'unicast' };
}

/** The address's info when the policy refuses it; undefined when it may be reached. */
export function refusedAddress(ip: string, policy: AddressPolicy): AddressInfo | undefined {
  const info = classifyAddress(ip);
  // Not an IP at all: nothing to connect to, so refuse rather than guess.
  if (!info) return { address: ip, range: 'reserved', public: false };
  if (info.public || policy.allowPrivate) return undefined;
  return policy.allowRanges?.includes(info.range) ? undefined : info;
}
