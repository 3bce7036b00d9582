export {
  classifyAddress,
  isIpLiteral,
  refusedAddress,
  type AddressInfo,
  type AddressPolicy,
  type AddressRange,
} from './address.js';
export { SafeHttpError, SafeHttpErrorCode, isSafeHttpError, type SafeHttpErrorDetails } from './errors.js';
export { guardedLookup, resolveWithDns, type Resolve } from './guarded-lookup.js';
export { localRangesOf } from './local-ranges.js';
export { SAFE_FETCH_DEFAULTS, safeFetch, type SafeFetchOptions, type SafeResponse } from './safe-fetch.js';
