import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendProviderError } from './errors.js';
import type { SimulatorState } from './state.js';

/** The key in `Authorization: Bearer <key>`, or undefined when missing or empty. Never logged. */
export function bearerKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*Bearer\s+(.*)$/i.exec(header);
  const key = m?.[1]?.trim();
  return key === undefined || key === '' ? undefined : key;
}

/** A digest naming the caller's key in the usage logs and rate limits (the key itself is never kept). */
export function keyIdOf(request: FastifyRequest): string {
  const key = bearerKey(request.headers.authorization) ?? '';
  return createHash('sha256').update(key).digest('hex').slice(0, 24);
}

function sameKey(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * onRequest hook for the provider routes: missing or empty key → 401; with SIM_API_KEYS set, any other
 * key → 401; otherwise any non-empty key passes (the real provider's answers need no real key here).
 */
export function authenticate(state: SimulatorState) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const key = bearerKey(request.headers.authorization);
    const allowed = state.current.apiKeys;
    let message: string | undefined;
    if (key === undefined) message = 'Unauthorized: the Authorization header must be "Bearer <your API key>"';
    else if (allowed.length > 0 && !allowed.some((k) => sameKey(k, key)))
      message = 'Unauthorized: invalid API key';
    if (message === undefined) return undefined;
    state.counters.rejected('unauthorized');
    request.log.debug({ hasKey: key !== undefined }, 'simulator: unauthorized');
    return sendProviderError(request, reply, { status: 401, name: 'UnauthorizedError', message });
  };
}
