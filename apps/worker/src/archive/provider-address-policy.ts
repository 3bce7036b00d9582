import { localRangesOf, resolveWithDns, type AddressPolicy, type Resolve } from '@vidqueue/safe-http';

/**
 * Which non-public addresses the archive may download from: none, unless the configured provider
 * (AIMLAPI_BASE_URL) is itself on such an address (the simulator), and then only that kind. The cloud
 * metadata service (link-local) is never reachable.
 */
export function providerAddressPolicy(
  baseUrl: string,
  resolve: Resolve = resolveWithDns,
): Promise<AddressPolicy> {
  return localRangesOf(baseUrl, resolve);
}
