import {
  classifyAddress,
  isIpLiteral,
  resolveWithDns,
  type AddressPolicy,
  type AddressRange,
  type Resolve,
} from '@vidqueue/safe-http';

/** Ranges a provider may share with us: a simulator on this machine or on a compose network (never link-local). */
const LOCAL_RANGES: readonly AddressRange[] = ['loopback', 'private', 'uniqueLocal', 'carrierGradeNat'];

/**
 * Which non-public addresses the archive may download from: none, unless the configured provider
 * (AIMLAPI_BASE_URL) is itself on such an address (the simulator), and then only that kind. The cloud
 * metadata service (link-local) is never reachable.
 */
export async function providerAddressPolicy(
  baseUrl: string,
  resolve: Resolve = resolveWithDns,
): Promise<AddressPolicy> {
  const host = new URL(baseUrl).hostname.replace(/^\[|\]$/g, '');
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
