/**
 * A small seeded pseudo-random generator (mulberry32), so that a world started with the same
 * seed hands out the same ALB IPs, DNS subsets and fault rolls.
 */

/** A function returning numbers in [0, 1), like `Math.random`. */
export type Random = () => number;

/**
 * Create a seeded generator.
 *
 * @example
 * const random = seededRandom(42);
 * random(); // always the same first value for seed 42
 */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Derive an independent seed for a named stream, so streams do not share their sequence. */
export function deriveSeed(seed: number, stream: string): number {
  let h = seed >>> 0;
  for (let i = 0; i < stream.length; i++) {
    h = Math.imul(h ^ stream.charCodeAt(i), 2654435761) >>> 0;
  }
  return h;
}
