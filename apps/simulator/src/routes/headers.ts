import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StoredGeneration } from '../generations.js';

/** `X-Client-Request-Id`: 1 to 128 characters of `A-Z a-z 0-9 . _ : -`; anything else is silently dropped. */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Ids the provider could have issued: `<uuid>:<model>` (Kandinsky) or 21-character short ids. */
const ISSUABLE_ID = [
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}:[A-Za-z0-9][A-Za-z0-9._/-]*$/i,
  /^[A-Za-z0-9_-]{21}$/,
];

/** The request's valid `X-Client-Request-Id`, or null (absent or invalid: dropped without a word). */
export function clientRequestIdOf(request: FastifyRequest): string | null {
  const id = request.headers['x-client-request-id'];
  return typeof id === 'string' && CLIENT_REQUEST_ID.test(id) ? id : null;
}

export function looksIssuable(id: string): boolean {
  return ISSUABLE_ID.some((re) => re.test(id));
}

/** `x-aimlapi-credits-used` (integer) and `x-aimlapi-usd-spent` (decimal USD). */
export function setUsageHeaders(reply: FastifyReply, generation: StoredGeneration): void {
  reply.header('x-aimlapi-credits-used', String(generation.creditsUsed));
  reply.header('x-aimlapi-usd-spent', String(generation.usdSpent));
}
