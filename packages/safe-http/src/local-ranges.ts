import { classifyAddress, isIpLiteral, type AddressPolicy, type AddressRange } from './address.js';
import { resolveWithDns, type Resolve } from './guarded-lookup.js';

/** Non-public ranges a trusted service may share with the hosts it points us to (never link-local). */
const LOCAL_RANGES: readonly AddressRange[] = ['loopback', 'private', 'uniqueLocal', 'carrierGradeNat'];

/**
 * The policy "the same kind of address as this trusted service": when every address of `url`'s host is
 * loopback, private, unique-local or carrier-grade NAT (a simulator on this machine, a compose network),
 * those ranges are allowed; otherwise none (a public service's files are on public hosts). The cloud
 * metadata service (link-local) is never allowed. An IPv6 literal host (`[::1]`) is taken as its address.
 */
export async function localRangesOf(url: string, resolve: Resolve = resolveWithDns): Promise<AddressPolicy> {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  const addresses = isIpLiteral(host)
    ? [host]
    : await resolve(host).then(
        (answers) => answers.map((a) => a.address),
        () => [],
      );
  const ranges = addresses.map((a) => classifyAddress(a)?.range);
  if (ranges.length === 0 || !ranges.every((r) => r !== undefined && LOCAL_RANGES.includes(r))) return {};
  return { allowRanges: [...new Set(ranges as AddressRange[])] };
}
