import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { vidqKeys } from '@vidqueue/core/contract';
import type { Guard } from '@vidqueue/core/producer';

/** How long a sign-in lasts (the cookie's Max-Age and the Redis key's TTL). */
export const SESSION_TTL_SECONDS = 12 * 3600;

/** A signed-in browser: its CSRF token, and which API token it signed in with (as a digest). */
export type WebSession = { csrf: string; tokenDigest: string; createdAt: number };

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/**
 * Sessions in Redis under the SHA-256 of the cookie's random id (a copy of Redis holds no usable
 * cookie), each with a TTL. The API token is never stored, only its digest: a session whose token has
 * been removed from API_TOKENS stops working at the next restart.
 */
export function createSessionStore(redis: Redis, keys: ReturnType<typeof vidqKeys>, guard: Guard) {
  const key = (id: string) => keys.webSession(sha256Hex(id));
  return {
    async create(tokenDigest: string): Promise<{ id: string; session: WebSession }> {
      const id = randomBytes(32).toString('base64url');
      const session: WebSession = {
        csrf: randomBytes(24).toString('base64url'),
        tokenDigest,
        createdAt: Date.now(),
      };
      await guard(() => redis.set(key(id), JSON.stringify(session), 'EX', SESSION_TTL_SECONDS));
      return { id, session };
    },
    async get(id: string): Promise<WebSession | undefined> {
      const raw = await guard(() => redis.get(key(id)));
      if (raw === null) return undefined;
      try {
        return JSON.parse(raw) as WebSession;
      } catch {
        return undefined;
      }
    },
    async remove(id: string): Promise<void> {
      await guard(() => redis.del(key(id)));
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;
