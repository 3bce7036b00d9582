import { createHash } from 'node:crypto';
import type { SimulatorSettings } from './config.js';
import { statusAt, type StoredGeneration } from './generations.js';
import { statusWord } from './present.js';

/**
 * The status word a client sees. Canonical (or legacy) spellings by default; with `pendingSpellings`
 * each pending answer draws its word from that list, and with `unknownStatusRate` some pending answers
 * carry a made-up word instead, so a client's "an unknown status is still pending" rule can be tested.
 * The draws are dice seeded by the generation id, the poll number and SIM_SEED: the same run replays them.
 */

/** Made-up pending statuses: never documented, never terminal. */
export const UNKNOWN_STATUSES = ['rendering', 'uploading', 'moderating'] as const;

/** A uniform number in [0, 1) from the generation, the poll and a salt (0 without a seed). */
export function pollDice(seed: number | undefined, id: string, poll: number, salt: string): number {
  const digest = createHash('sha1')
    .update(`${seed ?? 0}\u0000${id}\u0000${poll}\u0000${salt}`)
    .digest();
  return digest.readUInt32BE(0) / 4_294_967_296;
}

function pick<T>(list: readonly T[], u: number): T {
  return list[Math.min(list.length - 1, Math.floor(u * list.length))]!;
}

/** The word for poll number `poll` (0: the create answer) of a generation at `now`. */
export function spokenStatus(
  generation: StoredGeneration,
  now: number,
  poll: number,
  settings: Pick<SimulatorSettings, 'legacy' | 'pendingSpellings' | 'unknownStatusRate' | 'seed'>,
): string {
  const status = statusAt(generation, now);
  if (status === 'completed' || status === 'error') return statusWord(generation, now, settings.legacy);
  const { seed, unknownStatusRate, pendingSpellings } = settings;
  if (unknownStatusRate > 0 && pollDice(seed, generation.id, poll, 'unknown') < unknownStatusRate) {
    return pick(UNKNOWN_STATUSES, pollDice(seed, generation.id, poll, 'unknown-word'));
  }
  if (pendingSpellings.length > 0)
    return pick(pendingSpellings, pollDice(seed, generation.id, poll, 'pending'));
  return statusWord(generation, now, settings.legacy);
}
