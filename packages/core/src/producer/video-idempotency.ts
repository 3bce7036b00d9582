/**
 * A video's Idempotency-Key: one key never makes two videos, and never stays claimed without one.
 *
 * `<prefix>:vidq:idem:<key>` (24 h) holds the claim: `<videoId> <fingerprint>`, where the video id is
 * chosen by the request that claims the key and the fingerprint is the SHA-256 of what it asked for;
 * ` added` is appended once its job is known to exist. A key is never deleted after a failure: a
 * Redis timeout does not cancel a write that was sent, so the claim or the job may still land after
 * the request answered 503. Instead a repeat of the request finds out where things stand:
 * - the claim's job exists: it is the answer (200), or IDEMPOTENCY_KEY_MISMATCH for another request;
 * - it does not, and the claim is younger than IDEMPOTENCY_SETTLE_MS: the first request may be about
 *   to add it, so the repeat waits;
 * - it does not and the claim is older: the repeat adds the job itself, under the claim's video id.
 *   BullMQ ignores a second add of the same job id, so however the writes interleave, one key has
 *   at most one job;
 * - it does not, but the claim says it was added: retention removed it; IDEMPOTENCY_KEY_CONFLICT
 *   (never a second generation of a video that was made).
 * Claims written before this format (the bare video id) are still honoured as before.
 */
import { createHash } from 'node:crypto';
import { IDEMPOTENCY_TTL_SECONDS, requestFingerprint } from '../contract/idempotency.js';
import type { NewGenerationJobData } from '../contract/job-data.js';
import type { QueuedVideoView } from '../contract/video-view.js';
import type { ProducerContext } from './context.js';
import { ProducerError } from './errors.js';

/** How old a claim without a job must be before a repeat of the request adds the job itself. */
export const IDEMPOTENCY_SETTLE_MS = 1_000;

/** A claim as stored. */
type Claim = { videoId: string; fingerprint?: string; added: boolean; ageMs: number };

/** What a repeat of the request found: the video to answer, or that it must add the claim's job. */
export type Repeat = { video: QueuedVideoView } | { add: string };

export function claimFingerprint(data: NewGenerationJobData): string {
  return createHash('sha256').update(requestFingerprint(data)).digest('hex');
}

/** Claims the key for `videoId`; false when an earlier request holds it. */
export async function claimVideoKey(
  ctx: ProducerContext,
  redisKey: string,
  videoId: string,
  fingerprint: string,
): Promise<boolean> {
  const value = `${videoId} ${fingerprint}`;
  return (
    (await ctx.guard(() => ctx.redis.set(redisKey, value, 'EX', IDEMPOTENCY_TTL_SECONDS, 'NX'))) !== null
  );
}

/** Records on the claim that its job exists (best effort: without it a removed job is re-added). */
export async function markAdded(ctx: ProducerContext, redisKey: string, claim: string): Promise<void> {
  await ctx.guard(() => ctx.redis.set(redisKey, `${claim} added`, 'KEEPTTL', 'XX')).catch(() => undefined);
}

async function readClaim(ctx: ProducerContext, redisKey: string): Promise<Claim | undefined> {
  const [value, pttl] = await ctx.guard(() =>
    Promise.all([ctx.redis.get(redisKey), ctx.redis.pttl(redisKey)] as const),
  );
  if (value === null) return undefined;
  const [videoId = '', fingerprint, added] = value.split(' ');
  // Age from the key's own TTL (Redis's clock, the same for every API process).
  const ageMs = pttl > 0 ? IDEMPOTENCY_TTL_SECONDS * 1000 - pttl : 0;
  return { videoId, ...(fingerprint === undefined ? {} : { fingerprint }), added: added === 'added', ageMs };
}

/**
 * What a repeat of a request under an already claimed key answers (see the top of this file).
 * `load` reads a video's queued view, or undefined when it has no job. Undefined when the claim is
 * gone (expired meanwhile): the caller claims the key afresh.
 */
export async function repeatOfClaim(
  ctx: ProducerContext,
  redisKey: string,
  fingerprint: string,
  load: (id: string) => Promise<{ video: QueuedVideoView; fingerprint: string } | undefined>,
): Promise<Repeat | undefined> {
  for (;;) {
    const claim = await readClaim(ctx, redisKey);
    if (!claim) return undefined;
    if (claim.fingerprint !== undefined && claim.fingerprint !== fingerprint) {
      throw new ProducerError('IDEMPOTENCY_KEY_MISMATCH');
    }
    const found = await load(claim.videoId);
    if (found) {
      if (found.fingerprint !== fingerprint) throw new ProducerError('IDEMPOTENCY_KEY_MISMATCH');
      if (claim.fingerprint !== undefined && !claim.added) {
        await markAdded(ctx, redisKey, `${claim.videoId} ${claim.fingerprint}`);
      }
      return { video: found.video };
    }
    // No job. A claim of the older format cannot tell a job still coming from one removed: wait as before.
    if (claim.added || (claim.fingerprint === undefined && claim.ageMs >= IDEMPOTENCY_SETTLE_MS)) {
      throw new ProducerError('IDEMPOTENCY_KEY_CONFLICT');
    }
    if (claim.fingerprint !== undefined && claim.ageMs >= IDEMPOTENCY_SETTLE_MS)
      return { add: claim.videoId };
    await new Promise((resolve) => setTimeout(resolve, Math.min(50, IDEMPOTENCY_SETTLE_MS - claim.ageMs)));
  }
}
