/** A source of random 32-bit patterns, as signed int32 values (small integers in V8). */
export type Random32 = () => number;

/**
 * splitmix32: a small PRNG whose whole state is one 32-bit counter, so a map seeded with the same
 * number draws the same hash seeds, iteration starts and overflow-counter coins on every run.
 */
export function splitmix32(seed: number): Random32 {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return z ^ (z >>> 15);
  };
}

/** Adapts a `Math.random`-style source (floats in [0, 1)) to 32-bit patterns. */
export function fromUnitRandom(random: () => number): Random32 {
  return () => (random() * 4294967296) | 0;
}

/** A seed for maps created without one: different on every call, like Go's per-map `hash0`. */
export function randomSeed(): number {
  return (Math.random() * 4294967296) >>> 0;
}
