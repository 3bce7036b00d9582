/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/** mulberry32: a small seeded generator, so a run with SIM_SEED replays the same dice. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function createRandom(seed: number | undefined): Random {
  return seed === undefined ? Math.random : seededRandom(seed);
}
