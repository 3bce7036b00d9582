import type { RedisConnection } from '@vidqueue/core/runtime';
import { vidqKeys } from '@vidqueue/core/contract';

/** A model the provider refused for this account, as the run flags read it. */
export type ModelBlockState = { reason: string; remainingMs: number };

/**
 * Per-model blocks after a `model_not_allowed` 403 (a plan or tier restriction on that model): for
 * `MODEL_BLOCK_MS` every worker fails that model's jobs at once with `model_not_allowed`, without a
 * create call, so thousands of rows of a refused model do not each spend a request. Other models keep
 * running. When the block ends the next job of the model asks the provider again (an upgraded plan
 * takes effect within one period). Read in the run's first script (`readRunFlags`).
 */
export function createModelBlock(redis: RedisConnection, prefix: string, ttlMs: number) {
  const keys = vidqKeys(prefix);
  return {
    /** Blocks `model` for `ttlMs` (nothing when 0), remembering the provider's message. */
    async set(model: string, reason: string): Promise<void> {
      if (ttlMs > 0) await redis.set(keys.modelBlock(model), reason, 'PX', ttlMs);
    },
    /** Lifts a block now (an operator who fixed the plan). */
    async clear(model: string): Promise<void> {
      await redis.del(keys.modelBlock(model));
    },
  };
}

export type ModelBlock = ReturnType<typeof createModelBlock>;

/** The block from the run flags' PTTL and value (-2: none). */
export function modelBlockFrom(pttl: number, reason: string): ModelBlockState | null {
  if (pttl === -2) return null;
  return { reason, remainingMs: Math.max(0, pttl) };
}
